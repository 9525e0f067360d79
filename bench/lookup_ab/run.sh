#!/usr/bin/env bash
# Two builds of the gateway side by side under the same lookups: bench/lookup_bench runs them in
# alternating rounds (the "new" build in the per-lookup row, the "old" one in the row it labels
# "per source"), and at the end each gateway's CPU time per audited lookup is printed, which is
# what to read on a shared, noisy machine: throughput moves with other load, CPU per lookup
# much less.
#
# usage: bench/lookup_ab/run.sh NEW_BUILD_DIR OLD_BUILD_DIR [static|simulator]
#   environment: BENCH_SECONDS (15), BENCH_CONCURRENCY (20), NEW_THREADS / OLD_THREADS
#   (server.threads, 4), NEW_PRELOAD / OLD_PRELOAD (LD_PRELOAD, e.g. an allocator),
#   PROFILE=new|old (perf record -g of that gateway into the run folder)
# Upstream "static" (default) serves one reply captured from the simulator; "simulator" asks the
# SSBTEK simulator itself. Both builds need gateway/knutpunkt; NEW_BUILD_DIR also
# bench/lookup_bench and the simulator.
set -euo pipefail
NEW="$(realpath "$1")"
OLD="$(realpath "$2")"
UPSTREAM="${3:-static}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="$REPO/var/lookup-ab"
rm -rf "$RUN"
mkdir -p "$RUN/new" "$RUN/old"
children=()
cleanup() {
  if ((${#children[@]})); then
    kill "${children[@]}" 2>/dev/null || true
    wait "${children[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
wait_for() { for _ in $(seq 100); do [[ -s "$1" ]] && return 0; sleep 0.2; done; echo "no $1" >&2; exit 1; }

"$NEW/adapters/ssbtek/simulator/ssbtek-simulator" --port 0 --threads 128 --port-file "$RUN/simulator.port" \
  >"$RUN/simulator.out" 2>"$RUN/simulator.log" &
children+=($!)
wait_for "$RUN/simulator.port"
UPSTREAM_PORT="$(cat "$RUN/simulator.port")"
REQUEST="$REPO/tests/fixtures/ssbtek/request-hamtaBastjanstInformation.xml"
if [[ "$UPSTREAM" == static ]]; then
  curl -fsS -X POST -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: ""' --data-binary @"$REQUEST" \
    "http://127.0.0.1:$UPSTREAM_PORT/ssbtek" >"$RUN/reply.xml"
  python3 "$REPO/bench/lookup_ab/static_reply.py" "$RUN/reply.xml" "$RUN/static.port" &
  children+=($!)
  wait_for "$RUN/static.port"
  UPSTREAM_PORT="$(cat "$RUN/static.port")"
fi

for side in new old; do
  dir="$RUN/$side"
  build="$NEW" threads="${NEW_THREADS:-4}" preload="${NEW_PRELOAD:-}"
  if [[ $side == old ]]; then build="$OLD" threads="${OLD_THREADS:-4}" preload="${OLD_PRELOAD:-}"; fi
  python3 "$REPO/scripts/lib/run_config.py" "$REPO/config/demo.json" "$dir/config.json" "$REPO" \
    --ssbtek "$UPSTREAM_PORT" --log-level warn
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["server"]["threads"]=int(sys.argv[2]); json.dump(c,open(sys.argv[1],"w"))' \
    "$dir/config.json" "$threads"
  "$build/gateway/knutpunkt" audit keygen --private "$dir/audit-signing-key.pem" \
    --public "$dir/audit-signing-key.pub.pem" >/dev/null
  LD_PRELOAD="$preload" "$build/gateway/knutpunkt" serve --config "$dir/config.json" --port 0 \
    --port-file "$dir/gateway.port" --log-file "$dir/gateway.log" 2>"$dir/gateway.err" &
  children+=($!)
  echo $! >"$dir/gateway.pid"
done
for side in new old; do
  wait_for "$RUN/$side/gateway.port"
  # Lookups are held to a registered open case with the person in its household.
  curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$(cat "$RUN/$side/gateway.port")/v1/cases/EB-2026-BENCH" \
    -H 'Authorization: Bearer demo-token-stockholm-ekb' -H 'Content-Type: application/json' \
    --data-binary '{"status":"open","unit":"Bench","household":["191212121212"]}'
done

if [[ -n "${PROFILE:-}" ]]; then
  perf record -F 999 -g -o "$RUN/perf-$PROFILE.data" -p "$(cat "$RUN/$PROFILE/gateway.pid")" >/dev/null 2>&1 &
  children+=($!)
fi
"$NEW/bench/lookup_bench" --gateway "$(cat "$RUN/new/gateway.port")" --gateway-per-source "$(cat "$RUN/old/gateway.port")" \
  --simulator "$UPSTREAM_PORT" --token demo-token-stockholm-ekb --peer-request "$REQUEST" \
  --concurrency "${BENCH_CONCURRENCY:-20}" --seconds "${BENCH_SECONDS:-15}"
echo "(row \"1 SOAP call per lookup\" = new build $NEW, row \"1 SOAP call per source\" = old build $OLD: both ask once per lookup)"

for side in new old; do
  pid="$(cat "$RUN/$side/gateway.pid")"
  metrics="$(curl -fsS -H 'Authorization: Bearer demo-token-operator' "http://127.0.0.1:$(cat "$RUN/$side/gateway.port")/metrics")"
  records="$(awk '/^knutpunkt_audit_records_total/ {print $2}' <<<"$metrics")"
  commits="$(awk '/^knutpunkt_audit_commits_total/ {print $2}' <<<"$metrics")"
  # utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks.
  awk -v side="$side" -v records="$records" -v commits="$commits" -v hz="$(getconf CLK_TCK)" '{
    cpu = ($14 + $15) / hz
    printf "%s: %.2f s CPU over %d audit records (%.1f per commit): %.3f ms CPU per lookup\n",
           side, cpu, records, records / commits, 1000 * cpu / records }' "/proc/$pid/stat"
done
if [[ -n "${PROFILE:-}" ]]; then
  kill -INT "${children[-1]}" 2>/dev/null || true
  wait "${children[-1]}" 2>/dev/null || true
  echo "profile: perf report -i $RUN/perf-$PROFILE.data --no-children --sort dso,symbol"
fi
