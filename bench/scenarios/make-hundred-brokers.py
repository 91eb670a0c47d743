#!/usr/bin/env python3
"""Writes hundred-brokers.json and hundred-brokers-ten-topics.json (docs/BENCHMARKS.md, Scale):
100 brokers, 10,000 partitions, an acks=all producer and a rolling restart of every broker."""
import json
import os

BROKERS = 100
PARTITIONS = 10000
INTERVAL_S = 5  # one broker every 5 s: shut down cleanly, started again 2 s later


def scenario(topics, name, description):
    names = ["load"] if topics == 1 else [f"load-{i}" for i in range(topics)]
    steps = []
    t = 10
    for b in range(1, BROKERS + 1):
        steps.append({"at": f"{t}s", "shutdown": f"broker-{b}"})
        steps.append({"at": f"{t + 2}s", "restart": f"broker-{b}"})
        t += INTERVAL_S
    head = {
        "$schema": "../../scenarios/schema.json",
        "name": name,
        "description": description,
        "seed": 1,
        "cluster": {"mode": "kraft", "brokers": BROKERS, "controllers": 5,
                    "network": {"latency_ms": [1, 3]}},
        "topics": [{"name": n, "partitions": PARTITIONS // topics, "replication_factor": 3,
                    "config": {"min.insync.replicas": 2}} for n in names],
        "clients": [{"id": "producer-1", "type": "producer", "topic": names[0], "acks": "all",
                     "rate_per_s": 1000, "start": "5s"}],
    }
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    lines.append('  "steps": [')
    lines.append(",\n".join(f"    {json.dumps(s)}" for s in steps))
    lines.append("  ],")
    lines.append(f'  "end": "{t + 10}s"')
    lines.append("}")
    return "\n".join(lines) + "\n"


here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "hundred-brokers.json"), "w") as f:
    f.write(scenario(1, "100 brokers, 10,000 partitions, a rolling restart (benchmark)",
                     "The scale target of docs/BENCHMARKS.md: 100 KRaft brokers, 5 controllers, "
                     "topic load with 10,000 partitions (replication factor 3, "
                     "min.insync.replicas 2), an acks=all producer at 1,000 records/s from 5 s, "
                     "and a rolling restart of every broker: one every 5 s from 10 s shuts down "
                     "cleanly (its leaderships move away first) and starts again 2 s later. "
                     "Written by make-hundred-brokers.py."))
with open(os.path.join(here, "hundred-brokers-ten-topics.json"), "w") as f:
    f.write(scenario(10, "100 brokers, ten topics of 1,000 partitions, a rolling restart "
                         "(benchmark)",
                     "As hundred-brokers.json with the 10,000 partitions in ten topics, load-0 to "
                     "load-9, of 1,000 each; the producer writes to load-0. Written by "
                     "make-hundred-brokers.py."))
