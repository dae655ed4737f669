#!/usr/bin/env bash
# Builds the Temporal CLI (dev server with the Web UI embedded) from its Go module and prints
# the binary's path. v1.5.1 is the newest release that `go install pkg@version` accepts: from
# v1.6.0 the CLI's go.mod carries a `replace` for its cliext module, which go install refuses.
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/temporal-cli/$TEMPORAL_CLI_VERSION"
build() {
  [ -x "$dir/temporal" ] && return
  command -v go >/dev/null || { log "Go is required to build the Temporal CLI (apt-get install golang-go, or https://go.dev)"; exit 1; }
  log "building Temporal CLI v$TEMPORAL_CLI_VERSION (first run only: several minutes on 2 cores)"
  GOBIN="$dir/.partial" GOFLAGS=-trimpath go install \
    -ldflags="-s -w -X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
    "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION" >&2
  mv "$dir/.partial/temporal" "$dir/temporal" && rmdir "$dir/.partial"
}
with_lock "$dir" build
echo "$dir/temporal"
