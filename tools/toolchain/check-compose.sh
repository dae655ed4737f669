#!/usr/bin/env bash
# Checks docker-compose.yml without a Docker engine, in two steps:
#  1. tools/compose-check/main.go loads it with compose-go, the loader of Docker Compose v2
#     (schema, interpolation, references between services, files it mounts or builds from);
#  2. tools/compose-check/consistency.ts compares the loaded project with the local stack
#     (versions, entry points, ports, variable names, topics, search attributes).
# The Go program is built once into the cache, keyed by the compose-go version and a hash of its
# sources, so an edit to them rebuilds it. Usage: check-compose.sh [compose file]
source "$(dirname "$0")/common.sh"
file="${1:-$(dirname "$TOOLS_DIR")/docker-compose.yml}"
src="$TOOLS_DIR/compose-check"

# go.mod is what the build uses; versions.env names the version so it can be found with the others.
grep -q "github.com/compose-spec/compose-go/v2 $COMPOSE_GO_VERSION\$" "$src/go.mod" || {
  log "tools/compose-check/go.mod does not require compose-go $COMPOSE_GO_VERSION (tools/versions.env): update both together"
  exit 1
}
sources_hash="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
dir="$ORDER_PLATFORM_CACHE/compose-check/$COMPOSE_GO_VERSION-$sources_hash"
build() {
  [ -x "$dir/compose-check" ] && return
  command -v go >/dev/null || { log "Go 1.21 or newer is required to build the compose check (https://go.dev/dl)"; exit 1; }
  log "building compose-check with compose-go $COMPOSE_GO_VERSION (first run only)"
  (cd "$src" && GOFLAGS="-trimpath -mod=readonly -buildvcs=false" go build -ldflags="-s -w" -o "$dir/compose-check.partial" .) >&2
  mv "$dir/compose-check.partial" "$dir/compose-check"
}
with_lock "$dir" build

# The file refuses to load without a token signing key (users must choose one); validate it as
# a user with one set would.
export GATEWAY_JWT_SECRET="${GATEWAY_JWT_SECRET:-compose-check-placeholder-0123456789abcdef}"
export FULFILLMENT_WEBHOOK_SECRET="${FULFILLMENT_WEBHOOK_SECRET:-compose-check-placeholder-0123456789abcdef}"
project="$("$dir/compose-check" "$file")"
cd "$(dirname "$TOOLS_DIR")"
node --enable-source-maps -r @swc-node/register tools/compose-check/consistency.ts "$file" <<<"$project"
log "$(basename "$file"): valid, and consistent with the local stack"
