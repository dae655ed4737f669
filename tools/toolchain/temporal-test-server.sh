#!/usr/bin/env bash
# Downloads Temporal's Java time-skipping test server from Maven Central and prints the path of
# a launcher that `exec`s java, so the SDK, which starts the server and later kills the process
# it spawned, talks to and stops the JVM itself.
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/temporal-test-server/$TEMPORAL_TEST_SERVER_VERSION"
fetch() {
  [ -x "$dir/temporal-test-server" ] && [ -f "$dir/libs/slf4j-nop-$SLF4J_VERSION.jar" ] && return
  log "downloading temporal-test-server $TEMPORAL_TEST_SERVER_VERSION jars (first run only)"
  # slf4j-nop: the server logs through slf4j 1.x and warns on every start without a binding.
  maven_copy_jars "$dir/libs" \
    "$(dep io.temporal temporal-test-server "$TEMPORAL_TEST_SERVER_VERSION")$(dep org.slf4j slf4j-nop "$SLF4J_VERSION")"
  # The SDK passes the port as the only argument. A small heap and tiered compilation stopped at
  # C1 make the JVM start inside the SDK's connect window on a 2-core machine.
  cat >"$dir/temporal-test-server" <<LAUNCHER
#!/bin/sh
exec java -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \\
  -cp '$dir/libs/*' io.temporal.testserver.TestServer "\$@"
LAUNCHER
  chmod +x "$dir/temporal-test-server"
}
with_lock "$dir" fetch
echo "$dir/temporal-test-server"
