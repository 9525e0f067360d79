# The sanitizer stages of scripts/test: a second build of everything the tests need under
# AddressSanitizer and UndefinedBehaviorSanitizer (with LeakSanitizer), its tests, and a bounded
# fuzzing pass over every parser of outside input. Sourced after lib/common.sh (say, REPO_ROOT),
# not run.
#
# clang, because the same build also makes the libFuzzer targets (tests/fuzz). Warnings are not
# errors here: the GCC build holds the code to -Werror, and clang's warnings differ.
#
# A unity build (CMake compiles each target's files in batches of up to sixteen, each as one):
# every file instantiates the same nlohmann/json, Catch2 and standard templates, and a batch
# instantiates and instruments them once; a third less CPU (README: "Build time"). No two files of
# a target may then define the same name at file scope, and this build fails if they do. The GCC
# build compiles every file alone, which keeps each file including what it uses.
#
#   KNUTPUNKT_FUZZ_SECONDS  how long each fuzz target runs (default 30)
#   KNUTPUNKT_FUZZ_JOBS     how many targets run at once (default: the number of cores)

SANITIZER_BUILD_DIR="$REPO_ROOT/build-sanitize"
FUZZ_DIR="$REPO_ROOT/tests/fuzz"

sanitizer_build() {
  local launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  say "building (clang, ASan + UBSan, fuzz targets) in ${SANITIZER_BUILD_DIR#"$REPO_ROOT"/}"
  # -O1 with line tables only: fast enough to build and run, and stack traces still name lines.
  # Debug keeps assert() on, which a fuzzer should be able to trip.
  cmake -S "$REPO_ROOT" -B "$SANITIZER_BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" "${launcher[@]}" \
    -DKNUTPUNKT_SANITIZE=ON -DKNUTPUNKT_BUILD_FUZZERS=ON -DKNUTPUNKT_BUILD_TESTS=ON -DKNUTPUNKT_BUILD_BENCH=OFF \
    -DKNUTPUNKT_WERROR=OFF -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
  cmake --build "$SANITIZER_BUILD_DIR" -j "$(nproc)"
}

# Unit and integration tests, and the replay of every fuzz corpus and regression input. Left out:
# the browser test (headless Chromium driving the console finds nothing a sanitizer would), the
# crash test (it SIGKILLs the gateway on purpose; durability is proven in the GCC build), and the
# log privacy checks (they read log text, which sanitizers do not change). ASAN_OPTIONS and the
# rest come from the build's ctest set-up (cmake/sanitizers.cmake).
sanitizer_tests() {
  (cd "$SANITIZER_BUILD_DIR" &&
    ctest --output-on-failure --timeout 900 -j "$(nproc)" -E '^(browser_console|crash_referral_delivery|log_privacy_.*)$')
}

# The dictionary a target's inputs are written in (tests/fuzz/dictionaries/<name>.dict), if any.
fuzz_dictionary() {
  case "$1" in
    ssbtek_reply) echo xml ;;
    http_request) echo http ;;
    person_id) ;;
    *) echo json ;;
  esac
}

# fuzz_one <target> <work dir>: fuzzes one target from a copy of its committed corpus, so the run
# does not grow the repository. Leaves the exit status and the log in <work dir>/<target>/.
fuzz_one() {
  local target="$1" dir="$2/$1" seconds="${KNUTPUNKT_FUZZ_SECONDS:-30}" dict
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -R "$FUZZ_DIR/corpus/$target/." "$dir/corpus/"
  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$dir/artifacts/")
  dict="$(fuzz_dictionary "$target")"
  if [[ -n "$dict" ]]; then options+=(-dict="$FUZZ_DIR/dictionaries/$dict.dict"); fi
  local status=0
  "$SANITIZER_BUILD_DIR/tests/fuzz/${target}_fuzzer" "${options[@]}" "$dir/corpus" >"$dir/log" 2>&1 || status=$?
  echo "$status" >"$dir/status"
}

# Every fuzz target for a bounded time, a few at a time. Fails on any crash, leak, timeout (a
# single input over 10 s), out-of-memory (over 2 GB) or sanitizer report; the input that did it is
# kept under build-sanitize/fuzz-findings/<target>/ to be made a regression test
# (tests/fuzz/regressions/<target>/, replayed by ctest).
fuzz_all() {
  local jobs="${KNUTPUNKT_FUZZ_JOBS:-$(nproc)}" work target exe
  work="$(mktemp -d "${TMPDIR:-/tmp}/knutpunkt-fuzz.XXXXXX")"
  local targets=()
  for exe in "$SANITIZER_BUILD_DIR"/tests/fuzz/*_fuzzer; do
    targets+=("$(basename "$exe" _fuzzer)")
  done
  if ((${#targets[@]} == 0)); then
    say "no fuzz targets in ${SANITIZER_BUILD_DIR#"$REPO_ROOT"/}; run sanitizer_build first"
    return 1
  fi
  # The same run-time options as the sanitizer build's tests, and LeakSanitizer's suppressions.
  local ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_string_checks=1}"
  local UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
  local LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$REPO_ROOT/tests/sanitizers/lsan.supp:print_suppressions=0}"
  export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
  # Stack traces with function names and lines (Debian's clang-19 ships no llvm-symbolizer).
  if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]]; then
    local symbolizer
    symbolizer="$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer || true)"
    if [[ -n "$symbolizer" ]]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; fi
  fi

  say "fuzzing ${#targets[@]} targets, ${KNUTPUNKT_FUZZ_SECONDS:-30} s each, $jobs at a time"
  for target in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
    fuzz_one "$target" "$work" &
  done
  wait

  local failed=() status execs rate corpus
  printf '\n%-22s %8s %12s %10s %8s\n' "target" "result" "executions" "execs/s" "corpus" >&2
  for target in "${targets[@]}"; do
    status="$(cat "$work/$target/status")"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target/log" | tail -1)"
    corpus="$(find "$work/$target/corpus" -type f | wc -l)"
    printf '%-22s %8s %12s %10s %8s\n' "$target" "$( ((status == 0)) && echo ok || echo FAILED)" "${execs:-?}" \
      "${rate:-?}" "$corpus" >&2
    if ((status != 0)); then failed+=("$target"); fi
  done
  echo >&2

  for target in "${failed[@]}"; do
    local kept="$SANITIZER_BUILD_DIR/fuzz-findings/$target"
    mkdir -p "$kept"
    cp -R "$work/$target/artifacts/." "$kept/"
    cp "$work/$target/log" "$kept/fuzz.log"
    say "$target failed; its log and the input that did it are in ${kept#"$REPO_ROOT"/}:"
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written|==[0-9]+== ' "$work/$target/log" | head -20 >&2 || true
  done
  rm -rf "$work"
  ((${#failed[@]} == 0))
}
