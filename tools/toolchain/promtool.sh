#!/usr/bin/env bash
# Prints the path of promtool (Prometheus's own checker: rule files, configuration, rule unit
# tests), taken from Debian's `prometheus` package at a pinned version (PROMTOOL_DEBIAN_VERSION):
# a download of seconds, where building it from Prometheus's Go module took half an hour on 2
# cores, too long for CI's cold run. Unpacked once into the cache, keyed by version; no root
# needed (`apt-get download`, `dpkg-deb -x`). Used by check-compose.sh.
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/promtool/$PROMTOOL_DEBIAN_VERSION"
fetch() {
  [ -x "$dir/promtool" ] && return
  command -v apt-get >/dev/null || { log "promtool comes from Debian's prometheus package: apt-get is required"; exit 1; }
  log "fetching promtool from Debian's prometheus $PROMTOOL_DEBIAN_VERSION (first run only)"
  local work
  work="$(mktemp -d)"
  chmod 777 "$work" # apt's download user must be able to write there
  # Debian's mirrors keep only a release's latest update: if a security update replaced the
  # pinned one, take the update (same release, same syntax) and say so.
  (cd "$work" && { apt-get download -q "prometheus=$PROMTOOL_DEBIAN_VERSION" ||
    { log "prometheus $PROMTOOL_DEBIAN_VERSION is gone from Debian's mirror; taking its update"; apt-get download -q prometheus; }; }) >&2
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  mkdir -p "$dir"
  cp "$work/root/usr/bin/promtool" "$dir/promtool.partial"
  rm -rf "$work"
  mv "$dir/promtool.partial" "$dir/promtool"
}
with_lock "$dir" fetch
echo "$dir/promtool"
