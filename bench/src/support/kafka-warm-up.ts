/**
 * A broker that has run for a while, before anything is timed. The stack's Kafka is a JVM started
 * moments before the bench: until its JIT has compiled the produce path it spends several times
 * the CPU per write it spends later (bench/src/micro/kafka-warm-up.ts measures it), and the
 * platform, the only side that writes to Kafka, would be charged the broker's compilation.
 * Writes through the platform's own producer (idempotent, acks=all, one in flight) to a topic of
 * its own, reads them back once, and deletes the topic.
 */
import type { Kafka } from 'kafkajs';
import { TOPIC_PARTITIONS } from '@order-platform/domain';
import { createIdempotentProducer } from '@order-platform/runtime';

const WARM_UP_TOPIC = 'bench.kafka-warm-up';
/** About where a fresh broker's CPU per write stops falling (2026-12-01, 2 cores). */
export const WARM_UP_WRITES = 8_000;
/** A lifecycle event's size, about. */
const PAYLOAD = JSON.stringify({ warmUp: 'x'.repeat(900) });

export async function warmUpKafka(
  kafka: Kafka,
  options: { writes?: number; onRound?: (writes: number) => void; roundSize?: number } = {},
): Promise<void> {
  const { writes = WARM_UP_WRITES, roundSize = 1_000 } = options;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: WARM_UP_TOPIC, numPartitions: TOPIC_PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    try {
      let sent = 0;
      while (sent < writes) {
        const round = Math.min(roundSize, writes - sent);
        for (let i = 0; i < round; i += 1, sent += 1)
          await producer.send({
            topic: WARM_UP_TOPIC,
            messages: [{ key: `order-${sent % 97}`, value: PAYLOAD }],
          });
        options.onRound?.(round);
      }
    } finally {
      await producer.disconnect();
    }
    await readAll(kafka, writes);
    // Only tidying: a topic left behind changes no benchmark.
    await admin
      .deleteTopics({ topics: [WARM_UP_TOPIC] })
      .catch((error: unknown) =>
        console.warn(`bench: warm-up topic not deleted: ${String(error)}`),
      );
  } finally {
    await admin.disconnect();
  }
}

/** The fetch path too: the warm-up topic read from the beginning until every write came back. */
async function readAll(kafka: Kafka, expected: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: `${WARM_UP_TOPIC}-reader` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: WARM_UP_TOPIC, fromBeginning: true });
    let read = 0;
    let deadline: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      deadline = setTimeout(
        () => reject(new Error(`Kafka warm-up: read ${read} of ${expected} writes in 60 s`)),
        60_000,
      );
      void consumer
        .run({
          eachBatch: async ({ batch }) => {
            read += batch.messages.length;
            if (read >= expected) resolve();
          },
        })
        .catch(reject);
    }).finally(() => clearTimeout(deadline));
  } finally {
    await consumer.disconnect();
  }
}
