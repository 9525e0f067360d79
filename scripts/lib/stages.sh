# Named stages with their durations, printed together at the end so a slow stage is visible.
# Sourced, not run.
STAGE_NAMES=()
STAGE_SECONDS=()

# stage <name> <command...>: runs the command; stops the script (set -e) if it fails, after
# printing the stages so far.
stage() {
  local name="$1"
  shift
  say "$name"
  local started=$SECONDS status=0
  "$@" || status=$?
  STAGE_NAMES+=("$name")
  STAGE_SECONDS+=($((SECONDS - started)))
  if ((status != 0)); then
    say "failed: $name"
    stage_summary
    return "$status"
  fi
}

stage_summary() {
  local i total=0
  printf '\n%-60s %8s\n' "stage" "seconds" >&2
  for i in "${!STAGE_NAMES[@]}"; do
    printf '%-60s %8d\n' "${STAGE_NAMES[$i]}" "${STAGE_SECONDS[$i]}" >&2
    total=$((total + STAGE_SECONDS[i]))
  done
  printf '%-60s %8d\n\n' "total" "$total" >&2
}
