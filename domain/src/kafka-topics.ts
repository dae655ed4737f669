/**
 * Kafka topics are named for the facts they carry and versioned in the name; each consumer's
 * input has a dead-letter topic beside it. The local stack creates exactly these.
 */
export const TOPICS = {
  orderLifecycle: 'orders.lifecycle.v1',
  legacyOrderEvents: 'legacy.order-events.v1',
  orderMismatches: 'orders.mismatches.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: TopicName): string => `${topic}.dlq`;

/** Every topic the platform needs, dead-letter topics included. */
export const ALL_TOPICS: readonly string[] = Object.values(TOPICS).flatMap((topic) => [
  topic,
  deadLetterTopic(topic),
]);
