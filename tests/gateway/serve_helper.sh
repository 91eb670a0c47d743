# Sourced by the gateway's end-to-end tests: the shared preamble that checks for kcat, makes a
# work directory cleaned up on exit, starts `kafkasim serve` on free loopback ports and waits
# until it listens. Expects $kafkasim and $scenario; sets $work, $base and $server_pid.
# Extra log files to show on failure: list them in $fail_logs.
# Set serve_helper_needs_kcat=no before sourcing when the test uses another client.
if [ "${serve_helper_needs_kcat:-yes}" = yes ] && ! command -v kcat >/dev/null; then
  echo "kcat is not installed (scripts/setup installs it): skipped"
  exit 77
fi
work="$(mktemp -d)"
server_pid=""
fail_logs=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- gateway log"; tail -n 40 "$work/serve.err" || true
  for log in $fail_logs; do
    echo "--- $log"; tail -n 20 "$work/$log" || true
  done
  exit 1
}

# start_serve PORTS [serve options...]: `kafkasim serve` on PORTS consecutive free ports from a
# random high range (broker n on $base + n - 1); returns once it listens.
start_serve() {
  local ports="$1"
  shift
  base="$(python3 "$(dirname "${BASH_SOURCE[0]}")/free_ports.py" "$ports")" ||
    fail "no $ports free ports found"
  # KAFKASIM_SERVE_WITH_GUI=PATH-TO-kafkasim-gui runs the same test against the GUI's gateway
  # (`kafkasim-gui --headless --listen`, tests/gui/CMakeLists.txt) instead of `kafkasim serve`.
  local serve=("$kafkasim" serve)
  [ -n "${KAFKASIM_SERVE_WITH_GUI:-}" ] && serve=("$KAFKASIM_SERVE_WITH_GUI" --headless --listen)
  "${serve[@]}" "$scenario" --port-base "$base" "$@" >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  for _ in $(seq 1 300); do
    grep -q "gateway: listening" "$work/serve.err" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || fail "kafkasim serve exited early"
    sleep 0.1
  done
  grep -q "gateway: listening" "$work/serve.err" || fail "kafkasim serve did not listen in 30 s"
}
