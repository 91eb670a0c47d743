#!/usr/bin/env bash
# End to end: consumer groups through `kafkasim serve`. Two `kcat -G` consumers (librdkafka's
# balanced consumer: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit,
# OffsetFetch, LeaveGroup) join one group on the simulated group coordinator and split the
# three partitions of cities between them; after they leave, a third member of the group starts
# at their committed offsets and reads only what was produced since; the session's recording
# replays to the same trace hash. Usage: kcat_group.sh KAFKASIM SCENARIO. Exit 77 (skipped)
# when kcat is missing.
set -euo pipefail
kafkasim="$1"
scenario="$2"
source "$(dirname "$0")/serve_helper.sh"
fail_logs="c1.err c2.err c3.err"
start_serve 3 --record "$work/session.rec" --quiet
bootstrap="127.0.0.1:$base"

for _ in $(seq 1 60); do
  listed="$(kcat -b "$bootstrap" -L -t cities -m 10 2>&1)" &&
    echo "$listed" | grep -q 'topic "cities" with 3 partitions' &&
    ! echo "$listed" | grep -q 'leader -1' && break
  sleep 1
done
echo "$listed" | grep -q 'leader -1' && fail "a partition has no leader"

# Three records in each partition.
for p in 0 1 2; do
  printf "a$p\nb$p\nc$p\n" | timeout 60 kcat -P -b "$bootstrap" -t cities -p "$p" -m 30 ||
    fail "kcat -P to partition $p failed"
done

# kcat -G: balanced consumers; from the beginning when the group has no committed offset;
# offsets committed every second and when they leave. Sets $member_pid.
consume() {
  local name="$1"
  shift
  timeout 90 kcat -b "$bootstrap" -G readers cities -q -f '%p %s\n' -X auto.offset.reset=earliest \
    -X auto.commit.interval.ms=1000 -X client.id="$name" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  member_pid=$!
}
consume c1
c1=$member_pid
consume c2
c2=$member_pid
for _ in $(seq 1 60); do
  [ "$(cat "$work/c1.out" "$work/c2.out" | wc -l)" -ge 9 ] && break
  sleep 0.5
done
sleep 2  # a commit after the last record
kill -TERM "$c1" "$c2"
wait "$c1" "$c2" || true
echo "--- c1"; cat "$work/c1.out"
echo "--- c2"; cat "$work/c2.out"
[ "$(cat "$work/c1.out" "$work/c2.out" | wc -l)" -eq 9 ] ||
  fail "the two members did not read the 9 records exactly once between them"
p1="$(cut -d' ' -f1 "$work/c1.out" | sort -u | tr '\n' ' ')"
p2="$(cut -d' ' -f1 "$work/c2.out" | sort -u | tr '\n' ' ')"
echo "c1 read partitions: $p1; c2 read partitions: $p2"
[ -n "$p1" ] && [ -n "$p2" ] || fail "one member got no partition: the group did not split them"
for p in $p1; do
  case " $p2" in *" $p "*) fail "partition $p was read by both members" ;; esac
done

# The group's committed offsets: a new member reads only records produced after the others left.
printf 'd0\n' | timeout 60 kcat -P -b "$bootstrap" -t cities -p 0 -m 30 || fail "kcat -P failed"
consume c3 -e
wait "$member_pid" || fail "the third member failed"
echo "--- c3"; cat "$work/c3.out"
[ "$(cat "$work/c3.out")" = "0 d0" ] ||
  fail "the third member did not start at the group's committed offsets"

kill -TERM "$server_pid"
wait "$server_pid" || fail "kafkasim serve did not exit cleanly"
server_pid=""
served="$(grep '^trace-hash:' "$work/serve.out")"
replayed="$("$kafkasim" run "$scenario" --replay "$work/session.rec" --quiet | grep '^trace-hash:')"
echo "served:   $served"
echo "replayed: $replayed"
[ "$served" = "$replayed" ] || fail "the replay's trace hash differs from the served run's"
echo "PASS: a kcat consumer group against kafkasim serve"
