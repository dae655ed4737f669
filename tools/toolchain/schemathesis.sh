#!/usr/bin/env bash
# Installs schemathesis (property-based API tests driven by the gateway's OpenAPI document) from
# PyPI into a virtualenv in the cache and prints the path of its executable. A venv is not
# relocatable (its scripts name their interpreter by absolute path), so it is built in place and
# only counts as installed once the marker .complete exists; a failed install is removed.
# `python3 -m venv` needs ensurepip, which Debian ships apart: install python3-venv (or
# python3.X-venv) with apt-get if the venv step reports it missing.
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/schemathesis/$SCHEMATHESIS_VERSION"
install() {
  [ -f "$dir/.complete" ] && [ -x "$dir/venv/bin/schemathesis" ] && return
  command -v python3 >/dev/null || { log "Python 3.10+ is required for schemathesis (apt-get install python3 python3-venv)"; exit 1; }
  log "installing schemathesis $SCHEMATHESIS_VERSION from PyPI (first run only)"
  rm -rf "$dir/venv"
  python3 -m venv "$dir/venv" >&2 || {
    rm -rf "$dir/venv"
    log "python3 -m venv failed: on Debian/Ubuntu install python3-venv (apt-get install python3-venv)"
    exit 1
  }
  "$dir/venv/bin/python" -m pip install -q --disable-pip-version-check --no-input \
    "schemathesis==$SCHEMATHESIS_VERSION" >&2 || { rm -rf "$dir/venv"; exit 1; }
  touch "$dir/.complete"
}
with_lock "$dir" install
echo "$dir/venv/bin/schemathesis"
