#!/usr/bin/env bash
# End to end: KafkaJS 2.x (tests/gateway/kafkajs, installed with npm ci on first use) against
# `kafkasim serve`: admin, producer and a consumer group (kafkajs/produce_consume.js). Skipped
# (77) without node and npm, or when the packages cannot be installed (no registry).
# Usage: kafkajs_test.sh KAFKASIM SCENARIO
set -euo pipefail
kafkasim="$1"
scenario="$2"
dir="$(cd "$(dirname "$0")" && pwd)/kafkajs"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are not installed (scripts/setup installs them): skipped"
  exit 77
fi
if [ ! -d "$dir/node_modules/kafkajs" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund) || {
    echo "npm ci failed in $dir (no registry?): skipped"
    exit 77
  }
fi
serve_helper_needs_kcat=no
# shellcheck source=serve_helper.sh
source "$(dirname "$0")/serve_helper.sh"
start_serve 3 --record "$work/session.rec" --quiet
bootstrap="127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
timeout 120 node "$dir/produce_consume.js" "$bootstrap" || fail "the KafkaJS client failed"
kill -TERM "$server_pid"
wait "$server_pid" || fail "kafkasim serve did not exit cleanly"
server_pid=""
served="$(grep '^trace-hash:' "$work/serve.out")"
replayed="$("$kafkasim" run "$scenario" --replay "$work/session.rec" --quiet | grep '^trace-hash:')"
echo "served:   $served"
echo "replayed: $replayed"
[ "$served" = "$replayed" ] || fail "the replay's trace hash differs from the served run's"
echo "PASS: KafkaJS against kafkasim serve"
