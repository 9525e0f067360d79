# Named stages with their durations, printed together when the script ends (passed or failed), so
# a slow stage is visible. Sourced, not run.
#
# A stage's command runs as a plain command, not inside `if` or `||`, so that `set -e` keeps
# stopping at the first failing command within it.
STAGE_NAMES=()
STAGE_SECONDS=()
STAGE_CURRENT=""
STAGE_STARTED=0

# stage <name> <command...>
stage() {
  STAGE_CURRENT="$1"
  shift
  say "$STAGE_CURRENT"
  STAGE_STARTED=$SECONDS
  "$@"
  STAGE_NAMES+=("$STAGE_CURRENT")
  STAGE_SECONDS+=($((SECONDS - STAGE_STARTED)))
  STAGE_CURRENT=""
}

stage_summary() {
  local status=$? i total=0
  printf '\n%-60s %8s\n' "stage" "seconds" >&2
  for i in "${!STAGE_NAMES[@]}"; do
    printf '%-60s %8d\n' "${STAGE_NAMES[$i]}" "${STAGE_SECONDS[$i]}" >&2
    total=$((total + STAGE_SECONDS[i]))
  done
  if [[ -n "$STAGE_CURRENT" ]]; then
    printf '%-60s %8d  FAILED\n' "$STAGE_CURRENT" $((SECONDS - STAGE_STARTED)) >&2
    total=$((total + SECONDS - STAGE_STARTED))
  fi
  printf '%-60s %8d\n\n' "total" "$total" >&2
  return "$status"
}
trap stage_summary EXIT
