#!/usr/bin/env bash
# Checks docker-compose.yml without a Docker engine, in three steps:
#  1. tools/compose-check/main.go loads it with compose-go, the loader of Docker Compose v2
#     (schema, interpolation, references between services, files it mounts or builds from);
#  2. tools/compose-check/consistency.ts compares the loaded project with the local stack
#     (versions, entry points, ports, variable names, topics, search attributes);
#  3. promtool (Prometheus's checker, from Debian's package) validates the Prometheus
#     configuration and the alert rules it loads, and runs the rules' unit tests
#     (tools/compose/prometheus-alerts.test.yml).
# The checkers are built or fetched once into the cache (compose-check.sh, promtool.sh); after that
# the check runs offline. Usage: check-compose.sh [compose file]
source "$(dirname "$0")/common.sh"
file="${1:-$(dirname "$TOOLS_DIR")/docker-compose.yml}"
compose_check="$(bash "$(dirname "$0")/compose-check.sh")"
promtool="$(bash "$(dirname "$0")/promtool.sh")"

# The file refuses to load without a token signing key (users must choose one); validate it as
# a user with one set would.
export GATEWAY_JWT_SECRET="${GATEWAY_JWT_SECRET:-compose-check-placeholder-0123456789abcdef}"
export FULFILLMENT_WEBHOOK_SECRET="${FULFILLMENT_WEBHOOK_SECRET:-compose-check-placeholder-0123456789abcdef}"
export PAYLOAD_CODEC_KEYS="${PAYLOAD_CODEC_KEYS:-compose-check-placeholder-0123456789abcdef}"
project="$("$compose_check" "$file")"
cd "$(dirname "$TOOLS_DIR")"
node --enable-source-maps -r @swc-node/register tools/compose-check/consistency.ts "$file" <<<"$project"
# The rule files the configuration names are mounted at /etc/prometheus in the container: the
# configuration's syntax here, the rules themselves below.
"$promtool" check config --syntax-only tools/compose/prometheus.yml >&2
"$promtool" check rules tools/compose/prometheus-alerts.yml >&2
"$promtool" test rules tools/compose/prometheus-alerts.test.yml >&2
log "$(basename "$file"): valid, and consistent with the local stack"
