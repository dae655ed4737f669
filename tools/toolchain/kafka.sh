#!/usr/bin/env bash
# Downloads Apache Kafka (broker, KRaft controller and StorageTool all live in kafka_2.13) with
# its runtime dependencies from Maven Central, plus an slf4j binding: reload4j is not a runtime
# dependency of the core jar, and without it the broker logs nothing. Prints the jar folder.
source "$(dirname "$0")/common.sh"
dir="$ORDER_PLATFORM_CACHE/kafka/$KAFKA_SCALA_VERSION-$KAFKA_VERSION"
fetch() {
  [ -f "$dir/libs/kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar" ] && return
  log "downloading Kafka $KAFKA_VERSION jars (first run only)"
  maven_copy_jars "$dir/libs" \
    "$(dep org.apache.kafka "kafka_$KAFKA_SCALA_VERSION" "$KAFKA_VERSION")$(dep org.slf4j slf4j-reload4j "$SLF4J_VERSION")"
}
with_lock "$dir" fetch
echo "$dir/libs"
