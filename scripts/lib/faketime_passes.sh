# The integration suites and the demo again under faked calendar clocks. The gateway judges
# consents, meetings and follow-ups against its own clock, so a test that writes such a date
# literally passes on the day it is written and fails some later day on main; here it fails now.
# Sourced after common.sh (say, REPO_ROOT), not run.

FAKETIME_LIBRARY="${FAKETIME_LIBRARY:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}"

# faketime_passes <build dir>: three passes, each the ctest label "integration" and
# `scripts/demo --once` under one clock: 400 days ahead; from 2027-03-28 00:59:30 UTC, half a
# minute before Swedish clocks go forward; from 2027-12-31 22:59:50 UTC, ten seconds before the
# Swedish New Year. Every pass runs even after one fails, so the report names each clock that broke
# something; fails if any did.
faketime_passes() {
  local build_dir="$1"
  if [[ ! -r "$FAKETIME_LIBRARY" ]]; then
    echo "libfaketime is missing ($FAKETIME_LIBRARY): install the Debian package faketime" >&2
    return 1
  fi
  local -a names=("400 days ahead" "Swedish clocks go forward" "Swedish New Year")
  local -a starts=("$(date -u -d '+400 days' '+%Y-%m-%d %H:%M:%S')" "2027-03-28 00:59:30" "2027-12-31 22:59:50")
  local -a failed=() timings=()
  local i started
  for i in "${!names[@]}"; do
    started=$SECONDS
    faketime_pass "$build_dir" "$((i + 1))" "${names[$i]}" "${starts[$i]}" || failed+=("${names[$i]}")
    timings+=("$(printf '  %-28s from %s UTC: %4d s' "${names[$i]}" "${starts[$i]}" $((SECONDS - started)))")
  done
  say "faked clocks, seconds per pass:"
  printf '%s\n' "${timings[@]}" >&2
  if ((${#failed[@]})); then
    local joined
    printf -v joined '%s, ' "${failed[@]}"
    say "failed under a faked clock: ${joined%, }"
    return 1
  fi
}

# faketime_pass <build dir> <number> <name> <UTC start>: one pass in a subshell, so the faked
# clock ends with it. The offset from the real clock is taken once and passed as seconds
# (FAKETIME="+Ns", or "-Ns" once the start lies in the past): every process of the pass (test
# binaries, gateway, simulators, python, curl) then agrees on the time and the clock runs on
# normally. "@date" would restart the clock in each process. Monotonic
# clocks stay real, so timeouts and timers behave as they do without the library. Local time is
# Sweden's, for whatever reads it.
faketime_pass() (
  local build_dir="$1" number="$2" name="$3" start="$4"
  local target
  target="$(date -u -d "$start UTC" +%s)"
  local offset=$((target - $(date -u +%s)))
  export LD_PRELOAD="$FAKETIME_LIBRARY${LD_PRELOAD:+:$LD_PRELOAD}"
  FAKETIME="$(printf '%+ds' "$offset")"
  export FAKETIME FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Europe/Stockholm
  # With the monotonic clock left real, libfaketime 0.9.10 (Debian 12) turns the absolute
  # monotonic deadline of Python 3.11's time.sleep into an invalid one (EINVAL). Python in a pass
  # sleeps on an event's timed wait instead, which keeps to the real monotonic clock.
  local python_dir="$build_dir/tests/faketime/python"
  mkdir -p "$python_dir"
  cat >"$python_dir/sitecustomize.py" <<'PY'
import threading
import time


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    threading.Event().wait(seconds)


time.sleep = _sleep
PY
  export PYTHONPATH="$python_dir${PYTHONPATH:+:$PYTHONPATH}"

  # The library must really be in effect, in shell tools and in Python alike: a pass that ran
  # under the real clock proves nothing.
  local seen seen_by_python
  seen="$(date -u +%s)"
  seen_by_python="$(python3 -c 'import time; time.sleep(0.01); print(int(time.time()))')" || return 1
  if ((seen < target - 2 || seen > target + 60 || seen_by_python < target - 2 || seen_by_python > target + 60)); then
    echo "the faked clock did not take effect: date says $(date -u '+%F %T') UTC, Python" \
      "$(date -u -d "@$seen_by_python" '+%F %T') UTC; wanted $start UTC" >&2
    return 1
  fi
  say "pass $number under a faked clock ($name): it is now $(date -u '+%F %T') UTC," \
    "$(date '+%F %T %Z') in Sweden (FAKETIME=$FAKETIME)"

  local status=0 started=$SECONDS
  # Two at a time: the suites spend most of their time waiting on their child processes.
  (cd "$build_dir" && ctest -L '^integration$' --output-on-failure --timeout 600 -j 2) || status=1
  local suites=$((SECONDS - started))

  # The demo prints a lot; its output is kept, and shown only when it fails.
  local run_dir="$build_dir/tests/faketime/pass-$number" demo_log="$build_dir/tests/faketime/pass-$number-demo.log"
  mkdir -p "${run_dir%/*}"
  started=$SECONDS
  if ! KNUTPUNKT_BUILD_DIR="$build_dir" KNUTPUNKT_PORT=0 KNUTPUNKT_RUN_DIR="$run_dir" \
    "$REPO_ROOT/scripts/demo" --once >"$demo_log" 2>&1; then
    echo "scripts/demo --once failed under the faked clock ($name); the end of $demo_log:" >&2
    tail -n 40 "$demo_log" >&2
    status=1
  fi
  say "pass $number ($name) ended at $(date -u '+%F %T') UTC: integration suites ${suites} s," \
    "demo $((SECONDS - started)) s, $([[ $status == 0 ]] && echo passed || echo FAILED)"
  return "$status"
)
