#!/usr/bin/env bash
# Checks docker-compose.yml without a Docker engine, in two steps:
#  1. tools/compose-check/main.go loads it with compose-go, the loader of Docker Compose v2
#     (schema, interpolation, references between services, files it mounts or builds from);
#  2. tools/compose-check/consistency.ts compares the loaded project with the local stack
#     (versions, entry points, ports, variable names, topics, search attributes).
# The Go program is built once into the cache (compose-check.sh). Usage: check-compose.sh [compose file]
source "$(dirname "$0")/common.sh"
file="${1:-$(dirname "$TOOLS_DIR")/docker-compose.yml}"
compose_check="$(bash "$(dirname "$0")/compose-check.sh")"

# The file refuses to load without a token signing key (users must choose one); validate it as
# a user with one set would.
export GATEWAY_JWT_SECRET="${GATEWAY_JWT_SECRET:-compose-check-placeholder-0123456789abcdef}"
export FULFILLMENT_WEBHOOK_SECRET="${FULFILLMENT_WEBHOOK_SECRET:-compose-check-placeholder-0123456789abcdef}"
export PAYLOAD_CODEC_KEYS="${PAYLOAD_CODEC_KEYS:-compose-check-placeholder-0123456789abcdef}"
project="$("$compose_check" "$file")"
cd "$(dirname "$TOOLS_DIR")"
node --enable-source-maps -r @swc-node/register tools/compose-check/consistency.ts "$file" <<<"$project"
log "$(basename "$file"): valid, and consistent with the local stack"
