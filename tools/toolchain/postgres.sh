#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries from Debian are installed (the stack runs a private
# cluster of its own, so the system service is never used) and prints their folder.
source "$(dirname "$0")/common.sh"
bindir="/usr/lib/postgresql/$POSTGRES_MAJOR/bin"
if [ ! -x "$bindir/initdb" ]; then
  log "installing PostgreSQL $POSTGRES_MAJOR from Debian's packages"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "postgresql-$POSTGRES_MAJOR" >&2
fi
echo "$bindir"
