#!/usr/bin/env bash
# Entry point of the README's commands. Installs the npm dependencies when missing or stale,
# then hands over to the TypeScript CLI (tools/src/cli/platform.ts) or the test runner.
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "[platform] installing npm dependencies" >&2
    # `npm install`, not `npm ci`: npm 11 writes only this platform's optional native packages
    # (@swc/core-linux-x64-gnu, ...) into the lock file and its `npm ci` then calls the lock out of
    # sync. `npm install` installs exactly the locked versions and leaves the lock file as it is.
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
}

ensure_node_modules
case "${1:-}" in
  test) shift; exec bash tools/test.sh "$@" ;;
  *) exec node --enable-source-maps -r @swc-node/register tools/src/cli/platform.ts "$@" ;;
esac
