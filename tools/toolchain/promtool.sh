#!/usr/bin/env bash
# Builds promtool (Prometheus's own checker: rule files, configuration, rule unit tests) from
# Prometheus's Go module and prints the binary's path. As with Jaeger (jaeger.sh), `go install
# pkg@version` refuses the module (its go.mod has `replace` directives), so the module is
# downloaded and built from a copy of its own folder, with its own go.sum. Built once into the
# cache, keyed by version; the first build needs the Go module proxy and takes several minutes on
# 2 cores, every later check runs offline. Used by check-compose.sh.
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/promtool/$PROMETHEUS_VERSION"
build() {
  [ -x "$dir/promtool" ] && return
  command -v go >/dev/null || { log "Go is required to build promtool (apt-get install golang-go, or https://go.dev)"; exit 1; }
  log "building promtool $PROMETHEUS_VERSION (first run only: several minutes on 2 cores)"
  local work module
  work="$(mktemp -d)"
  module="$(go mod download -json "github.com/prometheus/prometheus@$PROMETHEUS_VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$module" ] || { log "go mod download did not report Prometheus's module folder"; exit 1; }
  cp -r "$module" "$work/prometheus" && chmod -R u+w "$work/prometheus"
  (cd "$work/prometheus" && GOFLAGS="-trimpath -mod=readonly -buildvcs=false" \
    go build -ldflags="-s -w" -o "$dir/promtool.partial" ./cmd/promtool) >&2
  rm -rf "$work"
  mv "$dir/promtool.partial" "$dir/promtool"
}
with_lock "$dir" build
echo "$dir/promtool"
