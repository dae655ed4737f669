#!/usr/bin/env bash
# Builds Jaeger (v2: an OpenTelemetry collector with OTLP in, in-memory trace storage, its HTTP
# query API and UI) from its Go module and prints the binary's path. `go install pkg@version`
# refuses the module (its go.mod has a `replace` directive), so the module is downloaded and built
# from a copy of its own folder, with its own go.sum. Built once into the cache, keyed by version.
#
# The module carries no built UI (the UI's assets are made by a separate JavaScript build that is
# not in the module): the binary serves Jaeger's placeholder page at / and the full HTTP API
# (/api/services, /api/traces) the tracing test and scripts use. docker-compose.yml runs the
# official image, whose UI is complete.
#
# Not on `npm test`'s path: a cold build takes several minutes on 2 cores (docs/development.md).
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/jaeger/$JAEGER_VERSION"
build() {
  [ -x "$dir/jaeger" ] && return
  command -v go >/dev/null || { log "Go is required to build Jaeger (apt-get install golang-go, or https://go.dev)"; exit 1; }
  log "building Jaeger $JAEGER_VERSION (first run only: several minutes on 2 cores)"
  local work module
  work="$(mktemp -d)"
  module="$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$module" ] || { log "go mod download did not report Jaeger's module folder"; exit 1; }
  cp -r "$module" "$work/jaeger" && chmod -R u+w "$work/jaeger"
  (cd "$work/jaeger" && GOFLAGS="-trimpath -mod=readonly -buildvcs=false" \
    go build -ldflags="-s -w" -o "$dir/jaeger.partial" ./cmd/jaeger) >&2
  rm -rf "$work"
  mv "$dir/jaeger.partial" "$dir/jaeger"
}
with_lock "$dir" build
echo "$dir/jaeger"
