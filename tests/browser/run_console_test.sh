#!/usr/bin/env bash
# The auditors' console end to end in a real browser: installs what is missing (Node.js, npm,
# Debian's chromium, playwright-core from the npm registry), starts the partner simulators and
# the gateway as scripts/demo does (ephemeral ports, a run folder under the build), seeds the
# audit log through the real API, runs console.test.mjs in headless Chromium, then verifies the
# export the browser downloaded offline and checks the run's application logs for personal data.
#
# usage: tests/browser/run_console_test.sh BUILD_DIR REPO_ROOT
# Artifacts: BUILD_DIR/tests/browser/screenshots/*.png (one per page), downloads/, run/ (logs).
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR REPO_ROOT" >&2
  exit 2
fi
BUILD_DIR="$(cd "$1" && pwd)"
REPO_ROOT="$(cd "$2" && pwd)"
HERE="$REPO_ROOT/tests/browser"
OUT="$BUILD_DIR/tests/browser"
RUN_DIR="$OUT/run"
SHOTS="$OUT/screenshots"
DOWNLOADS="$OUT/downloads"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

wait_for_file() {
  local path="$1" limit="$2" waited=0
  while [[ ! -s "$path" ]]; do
    sleep 0.1
    waited=$((waited + 1))
    if ((waited > limit * 10)); then return 1; fi
  done
}

# --- what the test needs from Debian and from the npm registry ---------------------------
install_packages() {
  local missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [[ -x "$CHROMIUM" ]] || missing+=(chromium)
  # A font with å, ä and ö for the screenshots (chromium itself needs only fontconfig).
  dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-dejavu-core)
  if ((${#missing[@]} == 0)); then return 0; fi
  say "installing missing packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_packages
[[ -x "$CHROMIUM" ]] || { echo "no Chromium at $CHROMIUM (set CHROMIUM=...)" >&2; exit 1; }
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
((NODE_MAJOR >= 18)) || { echo "Node.js 18 or newer is needed, found $(node --version)" >&2; exit 1; }

# playwright-core only: it drives the Chromium given to it and downloads no browser of its own.
if [[ ! -f "$HERE/node_modules/playwright-core/package.json" ]] ||
   [[ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]]; then
  say "installing playwright-core into tests/browser/node_modules (npm ci)"
  (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# --- the gateway and its partners, as in scripts/demo ---------------------------------------
rm -rf "$RUN_DIR" "$SHOTS" "$DOWNLOADS"
mkdir -p "$RUN_DIR" "$SHOTS" "$DOWNLOADS"

children=()
cleanup() {
  trap - EXIT INT TERM
  if ((${#children[@]})); then
    kill "${children[@]}" 2>/dev/null || true
    wait "${children[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Jobbtorg and FK call the gateway back, so its port is chosen before any of them starts.
GATEWAY_PORT="$(free_port)"

start() {  # start NAME PORT_FILE_TIMEOUT COMMAND...
  local name="$1" timeout="$2"
  shift 2
  "$@" --port 0 --port-file "$RUN_DIR/$name.port" >"$RUN_DIR/$name.out" 2>"$RUN_DIR/$name.log" &
  children+=($!)
  wait_for_file "$RUN_DIR/$name.port" "$timeout" || { echo "$name did not start; see $RUN_DIR/$name.log" >&2; exit 1; }
}

say "starting the partner simulators and the case system's webhook receiver"
start ssbtek 10 "$BUILD_DIR/adapters/ssbtek/simulator/ssbtek-simulator"
start af 10 "$BUILD_DIR/adapters/arbetsformedlingen/simulator/arbetsformedlingen-simulator" --token demo-token-knutpunkt-at-af
start fk 10 "$BUILD_DIR/adapters/forsakringskassan/simulator/forsakringskassan-simulator" \
  --token demo-token-knutpunkt-at-fk --aktorsid STHLM-EKB-0001 --gateway "http://127.0.0.1:$GATEWAY_PORT" \
  --gateway-token demo-token-forsakringskassan --adapter forsakringskassan
start case_system 10 "$BUILD_DIR/tests/tools/case_system_simulator/case-system-simulator" \
  --secret demo-webhook-secret-stockholm-ekb
start jobbtorg 10 "$BUILD_DIR/adapters/jobbtorg/simulator/jobbtorg-simulator" \
  --token demo-token-knutpunkt-at-jobbtorg --gateway "http://127.0.0.1:$GATEWAY_PORT" \
  --gateway-token demo-token-jobbtorg-sodra --adapter jobbtorg-sodra --reports auto --report-delay-ms 300

python3 "$REPO_ROOT/scripts/lib/run_config.py" "$REPO_ROOT/config/demo.json" "$RUN_DIR/config.json" "$REPO_ROOT" \
  --ssbtek "$(cat "$RUN_DIR/ssbtek.port")" --jobbtorg "$(cat "$RUN_DIR/jobbtorg.port")" \
  --case-system "$(cat "$RUN_DIR/case_system.port")" --af "$(cat "$RUN_DIR/af.port")" --fk "$(cat "$RUN_DIR/fk.port")"

# This run's export key, export folder and the console from this checkout (absolute paths: the
# config is read from the run folder).
say "an export signing key for this run"
"$BUILD_DIR/gateway/knutpunkt" audit keygen --private "$RUN_DIR/audit-signing-key.pem" --public "$RUN_DIR/audit-signing-key.pub.pem" >/dev/null
python3 - "$RUN_DIR/config.json" "$RUN_DIR" "$REPO_ROOT" <<'PY'
import json, os, sys
path, run_dir, root = sys.argv[1:]
cfg = json.load(open(path, encoding="utf-8"))
audit = cfg.setdefault("audit", {})
audit["signing_key"] = os.path.join(run_dir, "audit-signing-key.pem")
audit["export_dir"] = os.path.join(run_dir, "exports")
cfg.setdefault("console", {})["static_dir"] = os.path.join(root, "gateway/console/static")
json.dump(cfg, open(path, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
PY
mkdir -p "$RUN_DIR/exports"

say "starting the gateway on 127.0.0.1:$GATEWAY_PORT"
"$BUILD_DIR/gateway/knutpunkt" serve --config "$RUN_DIR/config.json" --port "$GATEWAY_PORT" \
  --port-file "$RUN_DIR/gateway.port" --log-file "$RUN_DIR/gateway.log" 2>"$RUN_DIR/gateway.err" &
children+=($!)
if ! wait_for_file "$RUN_DIR/gateway.port" 15; then
  echo "the gateway did not start:" >&2
  cat "$RUN_DIR/gateway.err" >&2
  exit 1
fi
BASE="http://127.0.0.1:$(cat "$RUN_DIR/gateway.port")"
curl -fsS "$BASE/readyz" -H "Authorization: Bearer demo-token-operator" >/dev/null || { echo "the gateway is not ready" >&2; exit 1; }

say "seeding the audit log through the API (case, lookups, refusals, consent, referral)"
node "$HERE/seed.mjs" "$BASE" "$OUT/seed.json"

say "the console in headless Chromium ($("$CHROMIUM" --version 2>/dev/null | head -1))"
status=0
KNUTPUNKT_BASE="$BASE" KNUTPUNKT_SEED="$OUT/seed.json" KNUTPUNKT_SCREENSHOTS="$SHOTS" KNUTPUNKT_DOWNLOADS="$DOWNLOADS" \
  CHROMIUM="$CHROMIUM" node --test --test-reporter=spec "$HERE/console.test.mjs" || status=$?
say "screenshots in $SHOTS:"
ls -1 "$SHOTS" >&2 || true
if ((status != 0)); then
  echo "the browser test failed (gateway log: $RUN_DIR/gateway.log)" >&2
  exit "$status"
fi

# The export the auditor downloaded through the console verifies offline, with only the public key.
EXPORT_FILE="$(find "$DOWNLOADS" -maxdepth 1 -type f ! -name '*.manifest.json' | head -1)"
[[ -n "$EXPORT_FILE" && -f "$EXPORT_FILE.manifest.json" ]] || { echo "the browser saved no export with its manifest" >&2; exit 1; }
say "offline verification of the downloaded export: knutpunkt audit verify --export $(basename "$EXPORT_FILE")"
"$BUILD_DIR/gateway/knutpunkt" audit verify --export "$EXPORT_FILE" --public-key "$RUN_DIR/audit-signing-key.pub.pem"

say "the audit log after the console's session (every auditor action appended) is intact"
"$BUILD_DIR/gateway/knutpunkt" audit verify --db "$RUN_DIR/knutpunkt.db"

# Searching by personnummer must not put one in an application log (query strings included).
say "no personal data in the run's application logs"
python3 "$REPO_ROOT/tests/privacy/check_logs.py" "$REPO_ROOT/adapters/ssbtek/simulator/persons.json" "$RUN_DIR"
