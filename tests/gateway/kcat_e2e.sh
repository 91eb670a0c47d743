#!/usr/bin/env bash
# End to end: `kafkasim serve` on free loopback ports, real kcat (librdkafka) clients list the
# cluster, produce keyed and unkeyed records and read them back; keyed records must sit in the
# partition Kafka's murmur2 partitioner picks; the session's recording must replay to the same
# trace hash. Usage: kcat_e2e.sh KAFKASIM SCENARIO. Exit 77 (skipped) when kcat is missing.
set -euo pipefail
kafkasim="$1"
scenario="$2"
source "$(dirname "$0")/serve_helper.sh"
start_serve 3 --record "$work/session.rec" --quiet
bootstrap="127.0.0.1:$base"

# Until the simulated cluster has elected leaders, Metadata shows partitions without one.
listed=""
for _ in $(seq 1 60); do
  if listed="$(kcat -b "$bootstrap" -L -t cities -m 10 2>&1)" &&
     echo "$listed" | grep -q 'topic "cities" with 3 partitions' &&
     ! echo "$listed" | grep -q 'leader -1'; then
    break
  fi
  sleep 1
done
echo "$listed"
for n in 1 2 3; do
  echo "$listed" | grep -q "broker $n at 127.0.0.1:$((base + n - 1))" ||
    fail "kcat -L does not list broker $n at port $((base + n - 1))"
done
echo "$listed" | grep -q '3 brokers:' || fail "kcat -L does not list 3 brokers"
echo "$listed" | grep -q 'topic "cities" with 3 partitions' || fail "kcat -L does not list cities"
echo "$listed" | grep -q 'leader -1' && fail "a partition has no leader"

# Keyed records with Java's partitioner (librdkafka's default is consistent_random, CRC32).
printf 'Berlin:b1\nParis:p1\nTokyo:t1\nLima:l1\nOslo:o1\n' |
  timeout 60 kcat -P -b "$bootstrap" -t cities -K: -X partitioner=murmur2_random -m 30 ||
  fail "kcat -P (keyed) failed"
printf 'u1\nu2\nu3\n' | timeout 60 kcat -P -b "$bootstrap" -t cities -m 30 ||
  fail "kcat -P (unkeyed) failed"

# acks=0 (no response at all) and acks=1 (the leader alone), to partition 1.
echo z0 | timeout 60 kcat -P -b "$bootstrap" -t cities -p 1 -X acks=0 -m 30 ||
  fail "kcat -P (acks=0) failed"
echo z1 | timeout 60 kcat -P -b "$bootstrap" -t cities -p 1 -X acks=1 -m 30 ||
  fail "kcat -P (acks=1) failed"

# An acks=0 record is visible once the followers copied it: read until all 10 are there.
for _ in $(seq 1 20); do
  timeout 60 kcat -C -b "$bootstrap" -t cities -o beginning -e -q -m 30 -f '%p|%k|%s|%o\n' \
    >"$work/consumed.txt" || fail "kcat -C failed"
  [ "$(wc -l <"$work/consumed.txt")" -ge 10 ] && break
  sleep 0.5
done
cat "$work/consumed.txt"
[ "$(wc -l <"$work/consumed.txt")" -eq 10 ] || fail "expected 10 records back"
python3 - "$work/consumed.txt" <<'PY' || fail "records are not where they belong"
import sys

def murmur2(data: bytes) -> int:
    # org.apache.kafka.common.utils.Utils.murmur2
    m, r = 0x5bd1e995, 24
    length = len(data)
    h = (0x9747b28c ^ length) & 0xffffffff
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xffffffff
        k ^= k >> r
        k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff
        h ^= k
    rest = length % 4
    tail = length - rest
    if rest == 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h ^= data[tail]
        h = (h * m) & 0xffffffff
    h ^= h >> 13
    h = (h * m) & 0xffffffff
    h ^= h >> 15
    return h

rows = [line.rstrip("\n").split("|") for line in open(sys.argv[1])]
values = sorted(v for _, _, v, _ in rows)
assert values == sorted(["b1", "p1", "t1", "l1", "o1", "u1", "u2", "u3", "z0", "z1"]), values
acks_rows = [part for part, _, v, _ in rows if v in ("z0", "z1")]
assert acks_rows == ["1", "1"], f"z0 and z1 were produced to partition 1: {acks_rows}"
for partition, key, value, _ in rows:
    if key:
        expected = (murmur2(key.encode()) & 0x7fffffff) % 3  # Utils.toPositive(murmur2) % 3
        assert int(partition) == expected, f"{key} in partition {partition}, murmur2 says {expected}"
# Offsets in each partition are dense from 0 in the order the records were written.
by_partition = {}
for partition, _, _, offset in rows:
    by_partition.setdefault(partition, []).append(int(offset))
for partition, offsets in by_partition.items():
    assert offsets == list(range(len(offsets))), (partition, offsets)
print("keyed records are in murmur2's partitions; offsets are dense")
PY

# Raw Produce v3 requests get the simulated broker's own errors: a follower of cities-0 says
# NOT_LEADER_OR_FOLLOWER (6); its leader refuses bytes that are no record batch (the log is
# left as it was: the consume below still finds exactly the 10 records).
leader="$(echo "$listed" | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')"
[ -n "$leader" ] || fail "no leader of cities-0 in kcat -L"
follower=$(( leader % 3 + 1 ))
python3 - "$base" "$leader" "$follower" <<'PY' || fail "raw Produce errors are not Kafka's"
import socket, struct, sys
base, leader, follower = (int(a) for a in sys.argv[1:])

def produce(broker, records):
    s = socket.create_connection(("127.0.0.1", base + broker - 1), timeout=20)
    body = struct.pack(">hhih", 0, 3, 42, 3) + b"raw"            # header v1, client "raw"
    body += struct.pack(">hhii", -1, 1, 5000, 1)                  # txn null, acks 1, timeout
    body += struct.pack(">h", 6) + b"cities" + struct.pack(">iii", 1, 0, len(records)) + records
    s.sendall(struct.pack(">i", len(body)) + body)
    size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
    reply = s.recv(size, socket.MSG_WAITALL)
    s.close()
    correlation, topics, name_len = struct.unpack(">iih", reply[:10])
    assert correlation == 42 and topics == 1
    index, error, base_offset = struct.unpack(">ihq", reply[10 + name_len + 4:][:14])
    return index, error, base_offset

index, error, base_offset = produce(follower, b"\x00" * 70)
assert (index, error, base_offset) == (0, 6, -1), (index, error, base_offset)
index, error, base_offset = produce(leader, b"\x00" * 70)
assert error != 0 and base_offset == -1, (error, base_offset)
print(f"follower broker-{follower}: NOT_LEADER_OR_FOLLOWER; leader broker-{leader}: error {error}")
PY
timeout 60 kcat -C -b "$bootstrap" -t cities -o beginning -e -q -m 30 -f '%s\n' \
  >"$work/again.txt" || fail "kcat -C (again) failed"
[ "$(wc -l <"$work/again.txt")" -eq 10 ] || fail "the refused batch changed the log"

# A frame over socket.request.max.bytes closes the connection with a log line.
python3 - "$base" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(struct.pack(">i", 104857601))
assert s.recv(1) == b"", "the connection should be closed"
PY
grep -q "larger than socket.request.max.bytes" "$work/serve.err" || fail "no log line for the big frame"

# An unknown API closes the connection with a log line, and the gateway keeps serving.
python3 - "$base" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
body = struct.pack(">hhih", 999, 0, 1, -1)
s.sendall(struct.pack(">i", len(body)) + body)
assert s.recv(1) == b"", "the connection should be closed"
PY
grep -q "unknown API key 999" "$work/serve.err" || fail "no log line for the unknown API key"
timeout 30 kcat -b "$bootstrap" -L -m 10 >/dev/null || fail "the gateway stopped serving"

kill -TERM "$server_pid"
wait "$server_pid" || fail "kafkasim serve did not exit cleanly"
server_pid=""
served="$(grep '^trace-hash:' "$work/serve.out")"
replayed="$("$kafkasim" run "$scenario" --replay "$work/session.rec" --quiet | grep '^trace-hash:')"
echo "served:   $served"
echo "replayed: $replayed"
[ "$served" = "$replayed" ] || fail "the replay's trace hash differs from the served run's"
echo "PASS: kcat against kafkasim serve"
