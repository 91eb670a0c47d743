#!/usr/bin/env python3
"""End to end: the python3-confluent-kafka AdminClient (librdkafka) against `kafkasim serve`.

Creates a topic and finds it in the metadata, gets Kafka's errors for creating it twice
(TOPIC_ALREADY_EXISTS), for a replication factor above the broker count
(INVALID_REPLICATION_FACTOR) and for shrinking it (INVALID_PARTITIONS), adds partitions,
describes a topic's and a broker's configs (overrides, server.properties values and defaults
told apart) and the cluster, deletes the topic and gets UNKNOWN_TOPIC_OR_PARTITION for deleting
it again. Then the session's recording must replay to the served run's trace hash. Usage:
python_admin.py KAFKASIM SCENARIO. Exit 77 (skipped) when confluent_kafka is not installed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import (AdminClient, ConfigResource, ConfigSource, NewPartitions,
                                       NewTopic)
except ImportError:
    # python3-confluent-kafka is Debian's package for the system interpreter; another python3
    # first on PATH (pyenv, a venv) does not see it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath(
            "/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    print("python3-confluent-kafka is not installed (scripts/setup installs it): skipped")
    sys.exit(77)

kafkasim, scenario = sys.argv[1], sys.argv[2]
with open(scenario) as f:
    zookeeper_mode = json.load(f)["cluster"].get("mode") == "zookeeper"
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp()
base = int(subprocess.check_output([sys.executable, os.path.join(here, "free_ports.py"), "3"]))
bootstrap = ",".join(f"127.0.0.1:{base + n}" for n in range(3))
recording = os.path.join(work, "session.rec")
out = open(os.path.join(work, "serve.out"), "w+")
err = open(os.path.join(work, "serve.err"), "w+")
server = subprocess.Popen([kafkasim, "serve", scenario, "--port-base", str(base), "--quiet",
                           "--record", recording], stdout=out, stderr=err)


def fail(why):
    print("FAIL:", why)
    err.seek(0)
    print("--- gateway log")
    print("".join(err.readlines()[-40:]))
    if server.poll() is None:
        server.kill()
    sys.exit(1)


def expect_error(future, code, text, what):
    """The future fails with Kafka error `code` whose message contains `text`."""
    try:
        future.result()
    except KafkaException as e:
        error = e.args[0]
        print(f"{what}: {error.name()} ({error.code()}): {error.str()}")
        if error.code() != code:
            fail(f"{what}: expected error {code}, got {error.code()} {error.str()}")
        if text not in error.str():
            fail(f"{what}: expected the message to contain {text!r}: {error.str()}")
        return
    fail(f"{what}: expected error {code}, but it succeeded")


def wait_for(admin, what, check, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            md = admin.list_topics(timeout=5)
        except KafkaException as e:  # a broker still starting may not answer yet
            print("metadata:", e.args[0].str())
            continue
        if check(md):
            return md
        time.sleep(0.2)
    fail(f"the metadata did not show {what} within {seconds} s")


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

    admin = AdminClient({"bootstrap.servers": bootstrap})
    # The brokers register in the first seconds; librdkafka waits for a controller id in the
    # metadata before it sends CreateTopics, and does not ask again by itself.
    wait_for(admin, "three brokers and a controller",
             lambda md: len(md.brokers) == 3 and md.controller_id >= 0)

    # Create, and find it in the metadata of every broker's answer.
    admin.create_topics([NewTopic("towns", num_partitions=2, replication_factor=3)],
                        operation_timeout=30)["towns"].result()
    md = wait_for(admin, "towns with 2 partitions",
                  lambda md: "towns" in md.topics and len(md.topics["towns"].partitions) == 2
                  and all(p.leader >= 0 for p in md.topics["towns"].partitions.values()))
    for p in md.topics["towns"].partitions.values():
        if sorted(p.replicas) != [1, 2, 3]:
            fail(f"towns-{p.id}: replicas {p.replicas}, expected all three brokers")
    print("created towns:", {p.id: p.replicas for p in md.topics["towns"].partitions.values()})

    # Kafka's errors, with Kafka's messages (ReplicationControlManager).
    expect_error(admin.create_topics([NewTopic("towns", 2, 3)], operation_timeout=30)["towns"],
                 KafkaError.TOPIC_ALREADY_EXISTS, "Topic 'towns' already exists.",
                 "creating towns again")
    expect_error(admin.create_topics([NewTopic("villages", 1, 4)],
                                     operation_timeout=30)["villages"],
                 KafkaError.INVALID_REPLICATION_FACTOR, "only 3 broker(s) are registered",
                 "replication factor 4 on 3 brokers")
    expect_error(admin.create_partitions([NewPartitions("towns", 1)],
                                         operation_timeout=30)["towns"],
                 KafkaError.INVALID_PARTITIONS,
                 # ZkAdminManager.createPartitions, ReplicationControlManager.createPartitions
                 "Topic currently has 2 partitions, which is higher than the requested 1."
                 if zookeeper_mode else "2 partition(s); 1 would not be an increase",
                 "shrinking towns to 1 partition")
    if "villages" in admin.list_topics(timeout=10).topics:
        fail("the refused topic villages exists")

    # More partitions.
    admin.create_partitions([NewPartitions("towns", 4)], operation_timeout=30)["towns"].result()
    wait_for(admin, "towns with 4 partitions",
             lambda md: "towns" in md.topics and len(md.topics["towns"].partitions) == 4)
    print("towns has 4 partitions")

    # Configs: cities sets min.insync.replicas=2 (a topic override); the rest are defaults.
    topic_res = ConfigResource(ConfigResource.Type.TOPIC, "cities")
    broker_res = ConfigResource(ConfigResource.Type.BROKER, "2")
    described = admin.describe_configs([topic_res, broker_res])
    topic_configs = described[topic_res].result()
    isr = topic_configs["min.insync.replicas"]
    if isr.value != "2" or isr.is_default or isr.source != ConfigSource.DYNAMIC_TOPIC_CONFIG.value:
        fail(f"cities min.insync.replicas: {isr.value} default={isr.is_default} "
             f"source={isr.source}")
    retention = topic_configs["retention.ms"]
    if retention.value != "604800000" or not retention.is_default:
        fail(f"cities retention.ms: {retention.value} default={retention.is_default}")
    broker_configs = described[broker_res].result()
    id_key = "broker.id" if zookeeper_mode else "node.id"  # as in its server.properties
    node_id = broker_configs[id_key]
    if node_id.value != "2" or node_id.source != ConfigSource.STATIC_BROKER_CONFIG.value:
        fail(f"broker 2 {id_key}: {node_id.value} source={node_id.source}")
    # num.partitions=1 is in Kafka's sample server.properties, so it is a static config;
    # message.max.bytes is not there: Kafka's default.
    partitions = broker_configs["num.partitions"]
    if partitions.value != "1" or partitions.source != ConfigSource.STATIC_BROKER_CONFIG.value:
        fail(f"broker 2 num.partitions: {partitions.value} source={partitions.source}")
    max_bytes = broker_configs["message.max.bytes"]
    if max_bytes.value != "1048588" or not max_bytes.is_default:
        fail(f"broker 2 message.max.bytes: {max_bytes.value} default={max_bytes.is_default}")
    print(f"described {len(topic_configs)} topic configs and {len(broker_configs)} broker configs")
    expect_error(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC,
                                                        "nowhere")])[
                     ConfigResource(ConfigResource.Type.TOPIC, "nowhere")],
                 KafkaError.UNKNOWN_TOPIC_OR_PART, "", "describing a missing topic")

    # The cluster: every broker at its own port, a controller among them, the cluster id.
    md = admin.list_topics(timeout=10)
    ports = sorted(b.port for b in md.brokers.values())
    if ports != [base, base + 1, base + 2]:
        fail(f"brokers at {ports}, expected {base}..{base + 2}")
    if md.controller_id not in md.brokers:
        fail(f"controller {md.controller_id} is not one of the brokers")
    if not md.cluster_id:
        fail("no cluster id in the metadata")
    print(f"cluster {md.cluster_id}: brokers {sorted(md.brokers)}, controller {md.controller_id}")

    # Delete, and deleting again is UNKNOWN_TOPIC_OR_PARTITION once the broker that takes the
    # request has dropped the topic from its own metadata cache. The broker that answered
    # list_topics may have learnt it first (in ZooKeeper mode UpdateMetadata reaches the brokers
    # one at a time): until then a second delete succeeds, as in Kafka (KafkaApis checks
    # metadataCache.contains; ZkAdminManager swallows TopicAlreadyMarkedForDeletionException).
    admin.delete_topics(["towns"], operation_timeout=30)["towns"].result()
    wait_for(admin, "towns gone", lambda md: "towns" not in md.topics)
    deadline = time.time() + 10
    while True:
        try:
            admin.delete_topics(["towns"], operation_timeout=30)["towns"].result()
        except KafkaException:
            break
        if time.time() > deadline:
            fail("deleting towns again: still accepted 10 s after the metadata dropped it")
        time.sleep(0.1)
    expect_error(admin.delete_topics(["towns"], operation_timeout=30)["towns"],
                 KafkaError.UNKNOWN_TOPIC_OR_PART, "", "deleting towns again")
    del admin

    server.terminate()
    if server.wait(30) != 0:
        fail("kafkasim serve did not exit cleanly")
    out.seek(0)
    served = [line for line in out.read().splitlines() if line.startswith("trace-hash:")]
    replay = subprocess.run([kafkasim, "run", scenario, "--replay", recording, "--quiet"],
                            capture_output=True, text=True, timeout=120)
    replayed = [line for line in replay.stdout.splitlines() if line.startswith("trace-hash:")]
    print("served:  ", served, "\nreplayed:", replayed)
    if not served or served != replayed:
        fail("the replay's trace hash differs from the served run's")
    print("PASS: the Python AdminClient against kafkasim serve")
finally:
    if server.poll() is None:
        server.terminate()
        server.wait(30)
    shutil.rmtree(work, ignore_errors=True)
