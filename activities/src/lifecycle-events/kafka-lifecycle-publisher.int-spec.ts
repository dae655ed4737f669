/**
 * The lifecycle publisher on the stack's real broker: what a consumer of `orders.lifecycle.v1`
 * can rely on (per-order order, key, envelope, headers), what it must handle (the same event
 * twice: delivery is at-least-once and the inbox dedupes by event id), and that our keys land
 * where a Java producer would put them.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import {
  lifecycleEvent,
  TOPICS,
  type LifecycleEvent,
  type LifecycleEventType,
} from '@order-platform/domain';
import { createKafka, createLogger } from '@order-platform/runtime';
import { KafkaLifecyclePublisher } from './kafka-lifecycle-publisher';

interface Received {
  partition: number;
  offset: bigint;
  key: string;
  headers: Record<string, string>;
  envelope: LifecycleEvent;
}

/** Other suites publish to the same topic; only this run's events (payload.run) count here. */
const RUN = randomUUID();
const brokers = (): string[] => (process.env.KAFKA_BROKERS ?? '').split(',');
// A new consumer group's first join retries while the coordinator starts, logged as errors by
// kafkajs; the assertions are what count.
const silent = createLogger('lifecycle-int-spec', 'error', () => undefined);

/**
 * murmur2 of the key and the partition of 3 that Kafka's Java client picks, computed with
 * kafka-clients 3.9.2 (`Utils.murmur2`, `BuiltInPartitioner.partitionForKey(key, 3)`) in jshell.
 * "21" and "foobar" are also test vectors in Kafka's own `UtilsTest.testMurmur2`.
 */
const JAVA_PARTITIONING = [
  { key: '21', murmur2: -973932308, partitionOf3: 0 },
  { key: 'foobar', murmur2: -790332482, partitionOf3: 0 },
  { key: 'partition-check-1', murmur2: -1034948265, partitionOf3: 2 },
  { key: 'partition-check-2', murmur2: 495246691, partitionOf3: 1 },
  { key: 'partition-check-4', murmur2: -1252773293, partitionOf3: 0 },
];

describe('lifecycle events on orders.lifecycle.v1 (real broker)', () => {
  const received: Received[] = [];
  const publishers: KafkaLifecyclePublisher[] = [];
  let consumer: Consumer;

  const newPublisher = (): KafkaLifecyclePublisher => {
    const kafka = createKafka({
      clientId: `lifecycle-publisher-${publishers.length}`,
      brokers: brokers(),
      logger: silent,
    });
    const publisher = new KafkaLifecyclePublisher(kafka);
    publishers.push(publisher);
    return publisher;
  };

  const event = (orderId: string, sequence: number, type: LifecycleEventType): LifecycleEvent =>
    lifecycleEvent(
      orderId,
      sequence,
      type,
      new Date(Date.UTC(2026, 10, 23, 12, sequence)).toISOString(),
      {
        run: RUN,
      },
    );

  /** This run's messages for an order, once at least `count` have arrived. */
  async function receivedFor(orderId: string, count: number): Promise<Received[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const mine = received.filter((r) => r.envelope.orderId === orderId);
      if (mine.length >= count) return mine;
      if (Date.now() > deadline) {
        throw new Error(`${mine.length} of ${count} messages for ${orderId} arrived in 30 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    const kafka = createKafka({ clientId: 'lifecycle-reader', brokers: brokers(), logger: silent });
    consumer = kafka.consumer({ groupId: `lifecycle-int-spec-${RUN}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.orderLifecycle], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const envelope = JSON.parse(String(message.value)) as LifecycleEvent;
        if (envelope.payload.run !== RUN) return;
        received.push({
          partition,
          offset: BigInt(message.offset),
          key: String(message.key),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
          envelope,
        });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await Promise.all(publishers.map((publisher) => publisher.disconnect()));
  });

  it("delivers one order's events in the order they happened, on one partition, keyed by the order", async () => {
    const orderId = `o-${randomUUID()}`;
    const story: LifecycleEventType[] = [
      'OrderAccepted',
      'FraudReviewRequested',
      'FraudApproved',
      'InventoryReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
    ];
    const events = story.map((type, i) => event(orderId, i + 1, type));
    const publisher = newPublisher();
    for (const e of events) await publisher.publish(e);

    const messages = await receivedFor(orderId, events.length);
    expect(messages.map((m) => m.envelope)).toEqual(events);
    expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    for (let i = 1; i < messages.length; i++) {
      expect(messages[i]!.offset > messages[i - 1]!.offset).toBe(true);
    }
    for (const [i, message] of messages.entries()) {
      expect(message.key).toBe(orderId);
      expect(message.headers).toEqual({
        eventId: events[i]!.eventId,
        eventType: events[i]!.eventType,
        schemaVersion: '1',
        source: 'order-workflow',
      });
    }
  });

  it('writes a retried publish again with the same event id: at-least-once, the inbox dedupes', async () => {
    const orderId = `o-${randomUUID()}`;
    const confirmed = event(orderId, 7, 'OrderConfirmed');
    const publisher = newPublisher();
    // The activity published, then failed before reporting success; Temporal runs it again.
    await publisher.publish(confirmed);
    await publisher.publish(confirmed);

    const messages = await receivedFor(orderId, 2);
    expect(messages).toHaveLength(2);
    expect(messages.map((m) => m.headers.eventId)).toEqual([confirmed.eventId, confirmed.eventId]);
    expect(messages.map((m) => m.envelope)).toEqual([confirmed, confirmed]);
    // Two records, not one: the broker's idempotence covers kafkajs's own retries only.
    expect(messages[0]!.offset).not.toBe(messages[1]!.offset);
  });

  it('puts a key on the partition Java’s murmur2 partitioner picks, whichever producer writes it', async () => {
    const admin = createKafka({
      clientId: 'lifecycle-admin',
      brokers: brokers(),
      logger: silent,
    }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPICS.orderLifecycle] });
    await admin.disconnect();
    // The stack creates 3 partitions per topic; the Java values above are for 3.
    expect(metadata.topics[0]!.partitions).toHaveLength(3);

    const [first, second] = [newPublisher(), newPublisher()];
    for (const { key } of JAVA_PARTITIONING) {
      await first.publish(event(key, 1, 'OrderAccepted'));
      await second.publish(event(key, 2, 'FraudReviewRequested'));
    }

    for (const { key, murmur2, partitionOf3 } of JAVA_PARTITIONING) {
      const messages = await receivedFor(key, 2);
      expect({ key, partitions: messages.map((m) => m.partition) }).toEqual({
        key,
        partitions: [partitionOf3, partitionOf3],
      });
      // Java's toPositive(murmur2(key)) % partitions, spelled out.
      expect((murmur2 & 0x7fffffff) % 3).toBe(partitionOf3);
    }
  });
});
