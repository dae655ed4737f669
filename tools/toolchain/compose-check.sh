#!/usr/bin/env bash
# Builds tools/compose-check (docker-compose.yml loaded by compose-go, the loader of Docker
# Compose v2) and prints the binary's path. Built once into the cache, keyed by the compose-go
# version and a hash of its sources, so an edit to them rebuilds it. Used by check-compose.sh and
# check-helm.sh (which compares the chart's variable names with the compose file's).
source "$(dirname "$0")/common.sh"
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
echo "$dir/compose-check"
