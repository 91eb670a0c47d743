#!/usr/bin/env python3
"""End to end: python3-confluent-kafka (librdkafka) against `kafkasim serve`.

A Producer writes keyed records with acks=all; two Consumers in one group split the three
partitions of cities between them (each gets a non-empty, disjoint share and together they read
every record once), commit synchronously, and the group's committed offsets are then read
back through OffsetFetch. Usage: python_group.py KAFKASIM SCENARIO. Exit 77 (skipped) when
confluent_kafka is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    from confluent_kafka import Consumer, Producer, TopicPartition
except ImportError:
    # python3-confluent-kafka is Debian's package for the system interpreter; another python3
    # first on PATH (pyenv, a venv) does not see it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath(
            "/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    print("python3-confluent-kafka is not installed (scripts/setup installs it): skipped")
    sys.exit(77)

kafkasim, scenario = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp()
base = int(subprocess.check_output([sys.executable, os.path.join(here, "free_ports.py"), "3"]))
bootstrap = ",".join(f"127.0.0.1:{base + n}" for n in range(3))
err = open(os.path.join(work, "serve.err"), "w+")
server = subprocess.Popen([kafkasim, "serve", scenario, "--port-base", str(base), "--quiet"],
                          stdout=subprocess.DEVNULL, stderr=err)


def fail(why):
    print("FAIL:", why)
    err.seek(0)
    print("--- gateway log")
    print("".join(err.readlines()[-40:]))
    server.kill()
    sys.exit(1)


try:
    for _ in range(300):
        err.seek(0)
        if "gateway: listening" in err.read():
            break
        if server.poll() is not None:
            fail("kafkasim serve exited early")
        time.sleep(0.1)
    else:
        fail("kafkasim serve did not listen in 30 s")

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                         "partitioner": "murmur2_random", "message.timeout.ms": 60000})
    delivered = []
    keys = ["Berlin", "Paris", "Tokyo", "Lima", "Oslo", "Rome", "Cairo", "Quito", "Perth"]
    for i, key in enumerate(keys):
        producer.produce("cities", key=key, value=f"v{i}",
                         on_delivery=lambda e, m: delivered.append((e, m.partition())))
    producer.flush(60)
    if len(delivered) != len(keys) or any(e is not None for e, _ in delivered):
        fail(f"not every record was acknowledged: {delivered}")
    partitions_written = sorted({p for _, p in delivered})
    print("produced to partitions", partitions_written)

    def member(name):
        return Consumer({"bootstrap.servers": bootstrap, "group.id": "py-readers",
                         "client.id": name, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "session.timeout.ms": 10000,
                         "heartbeat.interval.ms": 1000})

    consumers = [member("py-1"), member("py-2")]
    for c in consumers:
        c.subscribe(["cities"])
    read = {0: [], 1: []}
    deadline = time.time() + 60
    while time.time() < deadline and len(read[0]) + len(read[1]) < len(keys):
        for i, c in enumerate(consumers):
            m = c.poll(0.2)
            if m is not None and m.error() is None:
                read[i].append((m.partition(), m.key().decode(), m.value().decode()))
    # Both hold their assignment now; each commits what it read.
    shares = [sorted({tp.partition for tp in c.assignment()}) for c in consumers]
    print("assignments:", shares, "read:", read)
    if len(read[0]) + len(read[1]) != len(keys):
        fail(f"the group read {len(read[0]) + len(read[1])} of {len(keys)} records")
    if not shares[0] or not shares[1] or set(shares[0]) & set(shares[1]):
        fail(f"the partitions were not split between the two members: {shares}")
    if sorted(shares[0] + shares[1]) != [0, 1, 2]:
        fail(f"the members do not cover the three partitions: {shares}")
    for i, c in enumerate(consumers):
        if {p for p, _, _ in read[i]} - set(shares[i]):
            fail(f"member {i} read a partition it was not assigned")
        c.commit(asynchronous=False)
    counts = {p: sum(1 for _, q in delivered if q == p) for p in range(3)}
    committed = consumers[0].committed([TopicPartition("cities", p) for p in range(3)],
                                       timeout=20)
    got = {tp.partition: tp.offset for tp in committed}
    print("committed:", got, "records per partition:", counts)
    for p in range(3):
        expected = counts[p] if counts[p] > 0 and p in shares[0] + shares[1] else None
        if expected is not None and got[p] != expected:
            fail(f"cities-{p}: committed {got[p]}, expected {expected}")
    for c in consumers:
        c.close()
    del producer
    print("PASS: a Python consumer group against kafkasim serve")
finally:
    if server.poll() is None:
        server.terminate()
        server.wait(30)
    shutil.rmtree(work, ignore_errors=True)
