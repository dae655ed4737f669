/**
 * Reads a topic from the beginning, as a brand-new consumer group, keeping the records `accept`
 * lets through until `until` is satisfied (or fails after `timeoutMs`, saying what it saw and, if
 * told how, what it still waits for). For
 * end-to-end suites that check what really reached the broker.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

export async function readTopic(options: {
  brokers: string[];
  topic: string;
  accept: (record: TopicRecord) => boolean;
  until: (accepted: TopicRecord[]) => boolean;
  /** What `until` still waits for, said when the read times out: the records that never came. */
  describeMissing?: (accepted: TopicRecord[]) => string;
  timeoutMs?: number;
}): Promise<TopicRecord[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const kafka = new Kafka({
    clientId: 'topic-reader',
    brokers: options.brokers,
    // A new group's first join retries while the coordinator settles, logged as errors.
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `topic-reader-${randomUUID()}` });
  const accepted: TopicRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The last few: a long read would otherwise make a message of megabytes.
        const last = accepted.slice(-10).map((r) => `${r.key}@${r.partition}:${r.offset}`);
        reject(
          new Error(
            `${options.topic}: not there after ${timeoutMs} ms; accepted ${accepted.length}` +
              (last.length > 0 ? `, the last: ${last.join(', ')}` : '') +
              (options.describeMissing ? `; missing: ${options.describeMissing(accepted)}` : ''),
          ),
        );
      }, timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const record: TopicRecord = {
              partition,
              offset: message.offset,
              key: message.key?.toString(),
              value: String(message.value),
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              ),
            };
            if (!options.accept(record)) return;
            accepted.push(record);
            if (options.until(accepted)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return accepted;
}
