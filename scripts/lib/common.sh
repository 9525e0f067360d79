# Shared by scripts/demo, scripts/test and scripts/bench: install what is missing, then build.
# Sourced, not run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian 12 packages knutpunkt builds and tests with (README: "What it needs").
KNUTPUNKT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-system-dev libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev catch2
  libxml2-dev libxml2-utils libssl-dev openssl libsqlite3-dev sqlite3 libpq-dev postgresql
  curl python3 python3-jsonschema python3-yaml
)
# What scripts/test needs beyond that: libfaketime for the calendar passes, clang with its
# sanitizer and libFuzzer runtimes for the sanitizer build and the fuzz targets.
KNUTPUNKT_TEST_PACKAGES=(faketime clang-19 libfuzzer-19-dev libclang-rt-19-dev)
# What scripts/bench needs: nginx (the upstream and the proxy_pass peer), wrk (the load), npm for
# Node-RED (a Node.js that brings its own npm is enough), and jemalloc for the gateway it builds.
KNUTPUNKT_BENCH_PACKAGES=(nginx wrk libjemalloc-dev)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# install_dependencies [--with-test-tools] [--with-bench-tools]
install_dependencies() {
  local wanted=("${KNUTPUNKT_PACKAGES[@]}") missing=() bench=false flag
  for flag in "$@"; do
    case "$flag" in
      --with-test-tools) wanted+=("${KNUTPUNKT_TEST_PACKAGES[@]}") ;;
      --with-bench-tools)
        wanted+=("${KNUTPUNKT_BENCH_PACKAGES[@]}")
        command -v npm >/dev/null || wanted+=(npm)
        bench=true
        ;;
    esac
  done
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  say "installing missing packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # Debian starts the service a package brings (nginx on port 80); the benchmark runs its own
  # throwaway nginx on loopback and never the machine's service, so none is started meanwhile.
  local deny_starts=false
  if [[ "$bench" == true && ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
    deny_starts=true
  fi
  local status=0
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    status=$?
  if [[ "$deny_starts" == true ]]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
  return "$status"
}

# build <dir> <build type> [extra cmake args...]
build() {
  local dir="$1" type="$2"
  shift 2
  say "building ($type) in ${dir#"$REPO_ROOT"/}"
  cmake -S "$REPO_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

# build_main <dir> [target...]: the one build the demo and the tests share. Both configure it with
# the same options, so the tests after the demo build only what the demo did not need.
# -g1 (function names and line tables, no local variables): a backtrace still names each frame's
# function, file and line, and the build takes about a third less time than with -g.
# ccache and the precompiled headers come from CMake (cmake/build_speed.cmake).
build_main() {
  local dir="$1"
  shift
  say "building (RelWithDebInfo) in ${dir#"$REPO_ROOT"/}${1:+: $*}"
  cmake -S "$REPO_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DKNUTPUNKT_WERROR=ON -DKNUTPUNKT_BUILD_TESTS=ON >/dev/null
  if (($#)); then
    cmake --build "$dir" -j "$(nproc)" --target "$@"
  else
    cmake --build "$dir" -j "$(nproc)"
  fi
}

# wait_for_file <path> <seconds>: for port files written by the gateway and the simulators.
wait_for_file() {
  local path="$1" limit="$2" waited=0
  while [[ ! -s "$path" ]]; do
    sleep 0.1
    waited=$((waited + 1))
    if ((waited > limit * 10)); then return 1; fi
  done
}
