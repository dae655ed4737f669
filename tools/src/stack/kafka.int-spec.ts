import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS } from '@order-platform/domain';

describe('the Kafka broker of the local stack', () => {
  const kafka = new Kafka({
    clientId: 'stack-smoke',
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    // A new group's first join retries while the coordinator starts, logged as errors; the
    // assertions below are what count.
    logLevel: logLevel.NOTHING,
  });

  it('has every platform topic and its dead-letter topic', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toEqual(expect.arrayContaining([...ALL_TOPICS]));
    } finally {
      await admin.disconnect();
    }
  });

  it('carries a keyed message from an idempotent producer to a consumer group, headers intact', async () => {
    const topic = `stack-smoke.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `stack-smoke-${randomUUID()}` });
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string; header: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({
              key: String(message.key),
              value: String(message.value),
              header: String(message.headers?.eventType),
            }),
        });
      });
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key: 'order-42', value: '{"hello":"kafka"}', headers: { eventType: 'Smoke' } },
        ],
      });
      await expect(received).resolves.toEqual({
        key: 'order-42',
        value: '{"hello":"kafka"}',
        header: 'Smoke',
      });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
