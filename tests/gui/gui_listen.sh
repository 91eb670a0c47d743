#!/usr/bin/env bash
# End to end: `kafkasim-gui --headless --listen` on free loopback ports. kcat lists the three
# simulated brokers and produces to them, and reads the records back, while the GUI draws its
# frames (without a window); SIGTERM then stops the GUI with exit 0.
# Usage: gui_listen.sh KAFKASIM_GUI SCENARIO. Exit 77 (skipped) when kcat is missing.
set -euo pipefail
gui="$1"
scenario="$2"
if ! command -v kcat >/dev/null; then
  echo "kcat is not installed (scripts/setup installs it): skipped"
  exit 77
fi
work="$(mktemp -d)"
gui_pid=""
cleanup() {
  if [ -n "$gui_pid" ] && kill -0 "$gui_pid" 2>/dev/null; then kill -9 "$gui_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- kafkasim-gui stderr"; tail -n 40 "$work/gui.err" || true
  exit 1
}

base="$(python3 "$(dirname "$0")/../gateway/free_ports.py" 3)" || fail "no 3 free ports found"
# `timeout` bounds the GUI even if this script is killed before its trap runs.
timeout -s KILL 150 "$gui" "$scenario" --headless --listen --port-base "$base" \
  >"$work/gui.out" 2>"$work/gui.err" &
gui_pid=$!
for _ in $(seq 1 300); do
  grep -q "gateway: listening" "$work/gui.err" 2>/dev/null && break
  kill -0 "$gui_pid" 2>/dev/null || fail "kafkasim-gui exited early"
  sleep 0.1
done
grep -q "gateway: listening" "$work/gui.err" || fail "kafkasim-gui did not listen in 30 s"
bootstrap="127.0.0.1:$base"

# Until the simulated cluster has elected leaders, Metadata shows partitions without one.
listed=""
for _ in $(seq 1 60); do
  if listed="$(timeout 20 kcat -b "$bootstrap" -L -t cities -m 10 2>&1)" &&
     echo "$listed" | grep -q 'topic "cities" with 3 partitions' &&
     ! echo "$listed" | grep -q 'leader -1'; then
    break
  fi
  sleep 1
done
echo "$listed"
echo "$listed" | grep -q '3 brokers:' || fail "kcat -L does not list 3 brokers"
for n in 1 2 3; do
  echo "$listed" | grep -q "broker $n at 127.0.0.1:$((base + n - 1))" ||
    fail "kcat -L does not list broker $n at port $((base + n - 1))"
done
echo "$listed" | grep -q 'leader -1' && fail "a partition has no leader"

printf 'Berlin:b1\nParis:p1\nTokyo:t1\n' |
  timeout 60 kcat -P -b "$bootstrap" -t cities -K: -X acks=all -m 30 || fail "kcat -P failed"
for _ in $(seq 1 20); do
  timeout 60 kcat -C -b "$bootstrap" -t cities -o beginning -e -q -m 30 -f '%k=%s\n' \
    >"$work/consumed.txt" || fail "kcat -C failed"
  [ "$(wc -l <"$work/consumed.txt")" -ge 3 ] && break
  sleep 0.5
done
sort "$work/consumed.txt"
[ "$(sort "$work/consumed.txt" | tr '\n' ' ')" = "Berlin=b1 Paris=p1 Tokyo=t1 " ] ||
  fail "the three produced records did not come back"

kill -TERM "$gui_pid"
status=0
wait "$gui_pid" || status=$?
gui_pid=""
[ "$status" -eq 0 ] || fail "kafkasim-gui exited with $status after SIGTERM"
grep -q "kafkasim-gui: stopped at virtual time" "$work/gui.err" || fail "no closing line"
echo "PASS"
