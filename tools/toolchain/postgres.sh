#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries from Debian are installed (the stack runs a private
# cluster of its own, so the system service is never used) and prints their folder.
source "$(dirname "$0")/common.sh"
bindir="/usr/lib/postgresql/$POSTGRES_MAJOR/bin"
if [ ! -x "$bindir/initdb" ]; then
  log "installing PostgreSQL $POSTGRES_MAJOR from Debian's packages"
  apt_install "postgresql-$POSTGRES_MAJOR"
fi
echo "$bindir"
