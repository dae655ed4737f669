/**
 * Kafka topics are named for the facts they carry and versioned in the name; each consumer's
 * input has a dead-letter topic beside it. This is the one list of topics and their partitions:
 * the local stack creates exactly these, docker-compose.yml's kafka-setup and the Helm chart's
 * KafkaTopic resources (deploy/helm/order-platform/files/kafka-topics.json, written from
 * `kafkaTopicsFile()`) are checked against it in `npm test`.
 */
export const TOPICS = {
  orderLifecycle: 'orders.lifecycle.v1',
  legacyOrderEvents: 'legacy.order-events.v1',
  orderMismatches: 'orders.mismatches.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: TopicName): string => `${topic}.dlq`;

/**
 * Partitions per topic, dead-letter topics alike. Keys are order ids, so one order's facts stay
 * in order; the partition count bounds how many bridge and comparator instances share the work.
 * Raising it on a live cluster moves keys between partitions: add a new versioned topic instead.
 */
export const TOPIC_PARTITIONS = 3;

export interface KafkaTopicSpec {
  name: string;
  partitions: number;
}

/** Every topic the platform needs, dead-letter topics included, with its partitions. */
export const KAFKA_TOPIC_SPECS: readonly KafkaTopicSpec[] = Object.values(TOPICS).flatMap(
  (topic) => [
    { name: topic, partitions: TOPIC_PARTITIONS },
    { name: deadLetterTopic(topic), partitions: TOPIC_PARTITIONS },
  ],
);

/** Every topic the platform needs, dead-letter topics included. */
export const ALL_TOPICS: readonly string[] = KAFKA_TOPIC_SPECS.map((topic) => topic.name);

/** The Helm chart's copy of the list, exactly as deploy/helm/order-platform/files/kafka-topics.json holds it. */
export const kafkaTopicsFile = (): string =>
  `${JSON.stringify({ topics: KAFKA_TOPIC_SPECS }, null, 2)}\n`;
