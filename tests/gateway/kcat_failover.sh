#!/usr/bin/env bash
# End to end: a real producer (kcat, acks=all) writes to cities-0 through `kafkasim serve` while
# the scenario kills that partition's leader at 12 s of virtual time (= wall time). The client
# sees its connection reset, refreshes its metadata, and carries on with the new leader; every
# message it got an acknowledgement for is then read back. Usage: kcat_failover.sh KAFKASIM
# SCENARIO. Exit 77 (skipped) when kcat is missing.
set -euo pipefail
kafkasim="$1"
scenario="$2"
source "$(dirname "$0")/serve_helper.sh"
fail_logs="producer.err"
start_serve 3
brokers="127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
for _ in $(seq 1 60); do
  listed="$(kcat -b "$brokers" -L -t cities -m 10 2>&1)" &&
    echo "$listed" | grep -q 'partition 0, leader [1-3],' && break
  sleep 1
done
victim="$(echo "$listed" | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')"
[ -n "$victim" ] || fail "cities-0 has no leader"
echo "cities-0 is led by broker $victim; the scenario kills it at 12 s"

# 200 messages at 10 a second from now (about 4 s) to past the kill and the election.
python3 -c '
import sys, time
for i in range(200):
    print(f"m{i}", flush=True)
    time.sleep(0.1)
' | timeout 200 kcat -P -b "$brokers" -t cities -p 0 -X acks=all -X message.timeout.ms=120000 \
      -X retry.backoff.ms=200 2>"$work/producer.err" || fail "kcat -P failed"
grep -q "Delivery failed" "$work/producer.err" && fail "a message was not delivered"
grep -q "killed or stopped" "$work/serve.err" || fail "no connection was reset by the kill"

leader="$(kcat -b "$brokers" -L -t cities -m 10 | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')"
echo "cities-0 is now led by broker $leader"
[ -n "$leader" ] && [ "$leader" != "$victim" ] || fail "the leadership did not move"
timeout 60 kcat -C -b "$brokers" -t cities -p 0 -o beginning -e -q -m 30 -f '%s\n' \
  >"$work/consumed.txt" || fail "kcat -C failed"
python3 - "$work/consumed.txt" <<'PY' || fail "acknowledged messages are missing"
import sys
got = set(line.strip() for line in open(sys.argv[1]))
missing = [f"m{i}" for i in range(200) if f"m{i}" not in got]
assert not missing, f"missing: {missing[:10]}"
print(f"all 200 acknowledged messages read back ({len(open(sys.argv[1]).readlines())} lines, "
      "duplicates allowed: the producer is not idempotent)")
PY
kill -TERM "$server_pid"
wait "$server_pid" || fail "kafkasim serve did not exit cleanly"
server_pid=""
echo "PASS: kcat carries on after the leader of cities-0 is killed"
