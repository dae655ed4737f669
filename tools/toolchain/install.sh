#!/usr/bin/env bash
# Prepares every binary and jar the local stack needs, in parallel, from the cache when present.
# Prints KEY=path lines the stack runner reads (tools/src/stack/toolchain.ts).
source "$(dirname "$0")/common.sh"
here="$(dirname "$0")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$here/temporal-cli.sh" >"$tmp/temporal" & p1=$!
"$here/kafka.sh" >"$tmp/kafka" & p2=$!
"$here/temporal-test-server.sh" >"$tmp/tts" & p3=$!
"$here/postgres.sh" >"$tmp/pg" & p4=$!
status=0
for p in $p1 $p2 $p3 $p4; do wait "$p" || status=1; done
[ "$status" -eq 0 ] || { log "toolchain installation failed (see messages above)"; exit 1; }
echo "TEMPORAL_CLI=$(cat "$tmp/temporal")"
echo "KAFKA_LIBS=$(cat "$tmp/kafka")"
echo "TEMPORAL_TEST_SERVER=$(cat "$tmp/tts")"
echo "POSTGRES_BIN=$(cat "$tmp/pg")"
