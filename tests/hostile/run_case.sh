#!/usr/bin/env bash
# Runs one bad-input case: run_case.sh KAFKASIM CASE_FILE INPUTS_DIR WORK_DIR
#
# A case file holds, one per line:
#   # what the case is (comments)
#   write: NAME: TEXT        writes TEXT (one line) to NAME in the work directory first
#   args: ARG...             the kafkasim command line (split at spaces; '' is an empty
#                            argument), run in the work dir
#   exit: N                  the exit code expected
#   line: TEXT               a whole line expected in stdout or stderr (any number of these)
#   first: TEXT              the first line of stderr, compared whole
#   has: TEXT                text the first line of stderr must contain (for messages that
#                            carry a measurement, such as memory used)
#   timeout: SECONDS         how long the command may run (default 60)
# The files of INPUTS_DIR are copied to the work directory before anything runs.
set -uo pipefail
kafkasim=$1 case_file=$2 inputs=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cp -r "$inputs"/. "$work"/
args="" want_exit="" first="" has="" limit=60
lines=()
while IFS= read -r l || [ -n "$l" ]; do
  case "$l" in
    "#"* | "") ;;
    write:*)
      rest=${l#write: }
      printf '%s\n' "${rest#*: }" >"$work/${rest%%: *}" ;;
    args:*) args=${l#args: } ;;
    exit:*) want_exit=${l#exit: } ;;
    line:*) lines+=("${l#line: }") ;;
    first:*) first=${l#first: } ;;
    has:*) has=${l#has: } ;;
    timeout:*) limit=${l#timeout: } ;;
    *) echo "$case_file: cannot read line: $l" >&2; exit 1 ;;
  esac
done <"$case_file"
[ -n "$args" ] && [ -n "$want_exit" ] || { echo "$case_file: needs args: and exit:" >&2; exit 1; }
cd "$work"
read -ra words <<<"$args"
for i in "${!words[@]}"; do [ "${words[$i]}" = "''" ] && words[$i]=""; done
timeout "$limit" "$kafkasim" "${words[@]}" >stdout.txt 2>stderr.txt
rc=$?
fail() {
  echo "FAILED $case_file: $*" >&2
  echo "--- command: kafkasim $args (exit $rc)" >&2
  echo "--- stderr:" >&2; head -c 3000 stderr.txt >&2
  echo "--- stdout:" >&2; head -c 3000 stdout.txt >&2
  exit 1
}
[ "$rc" = 124 ] && fail "did not finish within ${limit}s"
[ "$rc" = "$want_exit" ] || fail "expected exit $want_exit, got $rc"
if [ -n "$first" ]; then
  got=$(head -n 1 stderr.txt)
  [ "$got" = "$first" ] || fail "first line of stderr: expected '$first', got '$got'"
fi
if [ -n "$has" ]; then
  got=$(head -n 1 stderr.txt)
  [[ "$got" == *"$has"* ]] || fail "first line of stderr: expected it to contain '$has', got '$got'"
fi
for want in "${lines[@]}"; do
  grep -qxF -- "$want" stdout.txt stderr.txt || fail "no line '$want'"
done
exit 0
