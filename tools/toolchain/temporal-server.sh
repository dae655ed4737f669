#!/usr/bin/env bash
# Builds the Temporal server (go.temporal.io/server: cmd/server and its SQL schema tool,
# cmd/tools/sql = temporal-sql-tool) and the Temporal Web UI server
# (github.com/temporalio/ui-server/v2: cmd/server, the UI's assets embedded) from their Go
# modules, pinned in tools/versions.env, and prints KEY=path lines for the stack runner
# (tools/src/stack/temporal-server.ts). Built once into the cache, keyed by version.
#
# Only `npm start -- --temporal server` / STACK_TEMPORAL=server come here: the default stack runs
# the CLI's dev server, so neither `npm test` nor CI's cold run pays for this build (several
# minutes on 2 cores; the Go build cache the CLI's build left makes it shorter).
source "$(dirname "$0")/common.sh"
server_dir="$ORDER_PLATFORM_CACHE/temporal-server/$TEMPORAL_SERVER_VERSION"
ui_dir="$ORDER_PLATFORM_CACHE/temporal-ui-server/$TEMPORAL_UI_VERSION"
require_go() {
  command -v go >/dev/null || { log "Go is required to build the Temporal server (apt-get install golang-go, or https://go.dev)"; exit 1; }
}
build_server() {
  [ -x "$server_dir/temporal-server" ] && [ -x "$server_dir/temporal-sql-tool" ] && return
  require_go
  log "building Temporal server v$TEMPORAL_SERVER_VERSION and temporal-sql-tool (first run only: several minutes on 2 cores)"
  # The module's go.mod has no `replace`, so `go install pkg@version` builds it as released.
  GOBIN="$server_dir/.partial" GOFLAGS=-trimpath go install -ldflags="-s -w" \
    "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
    "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" >&2
  mv "$server_dir/.partial/server" "$server_dir/temporal-server"
  mv "$server_dir/.partial/sql" "$server_dir/temporal-sql-tool"
  rmdir "$server_dir/.partial"
}
build_ui() {
  [ -x "$ui_dir/temporal-ui-server" ] && return
  require_go
  log "building Temporal UI server v$TEMPORAL_UI_VERSION (first run only: a few minutes on 2 cores)"
  GOBIN="$ui_dir/.partial" GOFLAGS=-trimpath go install -ldflags="-s -w" \
    "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION" >&2
  mv "$ui_dir/.partial/server" "$ui_dir/temporal-ui-server" && rmdir "$ui_dir/.partial"
}
with_lock "$server_dir" build_server
with_lock "$ui_dir" build_ui
echo "TEMPORAL_SERVER=$server_dir/temporal-server"
echo "TEMPORAL_SQL_TOOL=$server_dir/temporal-sql-tool"
echo "TEMPORAL_UI_SERVER=$ui_dir/temporal-ui-server"
