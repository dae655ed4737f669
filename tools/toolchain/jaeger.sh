#!/usr/bin/env bash
# Builds the local stack's Jaeger v2 (an OpenTelemetry collector with OTLP in, in-memory trace
# storage, its HTTP query API) from Jaeger's Go module and prints the binary's path. The binary is
# tools/jaeger/main.go: Jaeger's own components, only those the stack's configuration uses, which
# builds in minutes where Jaeger's full binary took over half an hour. The components are internal
# packages of Jaeger's module (and `go install` refuses the module: its go.mod has a `replace`
# directive), so the module is downloaded and main.go compiled inside a copy of it, with the
# module's own go.sum. Built once into the cache, keyed by version and by main.go's content.
#
# The module carries no built UI (the UI's assets are made by a separate JavaScript build that is
# not in the module): the binary serves Jaeger's placeholder page at / and the full HTTP API
# (/api/services, /api/traces) the trace test (order-trace.int-spec.ts) and scripts use.
# docker-compose.yml runs the official image, whose UI is complete.
source "$(dirname "$0")/common.sh"
main="$TOOLS_DIR/jaeger/main.go"
dir="$ORDER_PLATFORM_CACHE/jaeger/$JAEGER_VERSION-$(sha256sum "$main" | cut -c1-12)"
build() {
  [ -x "$dir/jaeger" ] && return
  command -v go >/dev/null || { log "Go is required to build Jaeger (apt-get install golang-go, or https://go.dev)"; exit 1; }
  log "building Jaeger $JAEGER_VERSION (first run only: a few minutes on 2 cores)"
  local work module
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # the folder of this build, now
  trap "rm -rf '$work'" EXIT
  module="$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$module" ] || { log "go mod download did not report Jaeger's module folder"; exit 1; }
  cp -r "$module" "$work/jaeger" && chmod -R u+w "$work/jaeger"
  mkdir -p "$work/jaeger/cmd/jaeger/platform" && cp "$main" "$work/jaeger/cmd/jaeger/platform/"
  # At low priority: on a first start it builds while the stack's services come up.
  (cd "$work/jaeger" && GOFLAGS="-trimpath -mod=readonly -buildvcs=false" \
    nice -n 10 go build -ldflags="-s -w -X main.version=$JAEGER_VERSION" -o "$dir/jaeger.partial" \
    ./cmd/jaeger/platform) >&2
  rm -rf "$work"
  mv "$dir/jaeger.partial" "$dir/jaeger"
}
with_lock "$dir" build
echo "$dir/jaeger"
