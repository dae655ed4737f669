#!/usr/bin/env bash
# Entry point of the README's commands. Puts a supported Node.js first on PATH (fetching Node 24
# when the machine's is older), installs the npm dependencies when missing or stale, then hands
# over to the TypeScript CLI (tools/src/cli/platform.ts) or the test runner.
set -euo pipefail
cd "$(dirname "$0")/.."

# Everything below, and every process it starts (apps, Jest and its workers), runs on that node.
ensure_node() {
  local bin
  bin="$(bash tools/toolchain/node.sh)"
  if [ -n "$bin" ]; then export PATH="$bin:$PATH"; fi
}

ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "[platform] installing npm dependencies" >&2
    # `npm ci`: exactly the lock file, which it never rewrites. The lock lists every platform's
    # optional native packages (@swc/core-*, @unrs/resolver-binding-*); npm installs this one's.
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

ensure_node
ensure_node_modules
# kafkajs 2.2.4 arms a negative timeout (tulios/kafkajs#1751), which Node 20 set to 1 ms silently
# and Node 24 sets to 1 ms with a warning; keep the warning out of every process started here.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=TimeoutNegativeWarning"

case "${1:-}" in
  test) shift; exec bash tools/test.sh "$@" ;;
  test-temporal-server) shift; exec bash tools/test-temporal-server.sh "$@" ;;
  # A TypeScript entry point (the bench, a scenario) on the node the apps it starts run on.
  run) shift; exec node --enable-source-maps -r @swc-node/register "$@" ;;
  *) exec node --enable-source-maps -r @swc-node/register tools/src/cli/platform.ts "$@" ;;
esac
