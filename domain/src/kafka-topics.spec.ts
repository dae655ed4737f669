import { ALL_TOPICS, deadLetterTopic, TOPICS } from './kafka-topics';

describe('Kafka topics', () => {
  it('names each topic for its fact, versioned, with a dead-letter topic beside it', () => {
    expect(ALL_TOPICS).toEqual([
      'orders.lifecycle.v1',
      'orders.lifecycle.v1.dlq',
      'legacy.order-events.v1',
      'legacy.order-events.v1.dlq',
      'orders.mismatches.v1',
      'orders.mismatches.v1.dlq',
    ]);
    expect(deadLetterTopic(TOPICS.orderLifecycle)).toBe('orders.lifecycle.v1.dlq');
  });
});
