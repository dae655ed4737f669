#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (the ops page's end-to-end test drives it headless
# through playwright-core, which downloads no browser of its own) and prints its path.
source "$(dirname "$0")/common.sh"
binary="/usr/bin/chromium"
if [ ! -x "$binary" ]; then
  log "installing Chromium from Debian's packages"
  apt_install chromium
fi
echo "$binary"
