/**
 * The DLQ indexer: reads every `.dlq` topic and indexes each dead letter in `dead_letter`
 * (stores/src/dead-letters/), so operators can list, inspect and replay them. It runs on the
 * reliable consumer like the other consumers, so an outage holds it rather than losing an entry.
 * Nothing on a `.dlq` topic is bad to it: whatever the bytes, they are stored as bytes and the
 * headers as text, so it never dead-letters anything itself (an unclassified failure is retried,
 * holding its partition, rather than sent back to the topic it reads).
 */
import { createHash } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { deadLetterTopic, TOPICS } from '@order-platform/domain';
import {
  type DependencyWait,
  type Logger,
  type MessageContext,
  type ReliableConsumer,
  startReliableConsumer,
} from '@order-platform/runtime';
import { type DeadLetterEntry, indexDeadLetter } from '@order-platform/stores';

export const DEAD_LETTER_TOPICS: readonly string[] = Object.values(TOPICS).map(deadLetterTopic);

export interface DeadLetterIndexerOptions {
  kafka: Kafka;
  pool: Pool;
  registry: Registry;
  logger: Logger;
}

const INT4_MAX = 2_147_483_647;

const headerText = (headers: KafkaMessage['headers']): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined
        ? []
        : [[name, Array.isArray(value) ? value.map(String).join(',') : String(value)]],
    ),
  );

/** One dead letter is one row however often it was sent: keyed by who gave up on what. */
export function dedupeKeyOf(headers: Record<string, string>, value: Buffer | null): string {
  const identity = [
    headers['x-dlq-consumer'],
    headers['x-dlq-source-topic'],
    headers['x-dlq-source-partition'],
    headers['x-dlq-source-offset'],
    headers['x-source-position'],
  ];
  // No position (a parked fact the bridge gave up on): the event and when it was given up on.
  if (headers['x-dlq-source-offset'] === undefined && headers['x-source-position'] === undefined) {
    identity.push(headers['x-dlq-event-id'], headers['x-dlq-failed-at']);
  }
  // A monolith transaction's position is shared by all its rows: which fact, or which row (its
  // bytes), tells the mirror's dead letters of one transaction apart.
  if (headers['x-source-position'] !== undefined) {
    identity.push(
      headers['x-dlq-event-id'] ??
        headers['event-id'] ??
        createHash('sha256')
          .update(value ?? Buffer.alloc(0))
          .digest('hex'),
    );
  }
  // A dead letter that says nothing of where it came from is known by its bytes.
  const known = identity.some((part) => part !== undefined);
  return createHash('sha256')
    .update(known ? identity.map((p) => p ?? '').join('\u0001') : (value ?? Buffer.alloc(0)))
    .digest('hex');
}

/** A dead letter's row, from its message and where it lies. */
export function deadLetterEntry(message: KafkaMessage, context: MessageContext): DeadLetterEntry {
  const headers = headerText(message.headers);
  // Headers are whatever the sender wrote: a number past the column's range is no number.
  const int = (name: string) => {
    const parsed = Number.parseInt(headers[name] ?? '', 10);
    return Number.isSafeInteger(parsed) && Math.abs(parsed) <= INT4_MAX ? parsed : undefined;
  };
  // A source that is itself a dead-letter topic would make a replay publish into the DLQ.
  const sourceTopic = headers['x-dlq-source-topic'];
  const failedAt = headers['x-dlq-failed-at'] ?? new Date(Number(message.timestamp)).toISOString();
  return {
    dedupeKey: dedupeKeyOf(headers, message.value),
    dlqTopic: context.topic,
    dlqPartition: context.partition,
    dlqOffset: context.offset,
    sourceTopic: sourceTopic?.endsWith('.dlq') ? undefined : sourceTopic,
    sourcePartition: int('x-dlq-source-partition'),
    sourceOffset: headers['x-dlq-source-offset'],
    consumer: headers['x-dlq-consumer'] ?? 'unknown',
    // Before x-dlq-class, poison was told by its reason.
    class:
      headers['x-dlq-class'] ??
      ((headers['x-dlq-reason'] ?? '').startsWith('poison') ? 'poison' : 'unclassified'),
    reason: headers['x-dlq-reason'] ?? 'no reason given',
    attempts: int('x-dlq-attempts'),
    eventId: headers['x-dlq-event-id'],
    key: message.key,
    value: message.value,
    headers,
    failedAt: new Date(failedAt),
    replayOf: /^\d{1,18}$/.test(headers['x-dlq-replay-of'] ?? '')
      ? headers['x-dlq-replay-of']
      : undefined,
  };
}

export class DeadLetterIndexer {
  private consumer?: ReliableConsumer;

  constructor(private readonly options: DeadLetterIndexerOptions) {}

  async start(): Promise<void> {
    const { kafka, pool, registry, logger } = this.options;
    this.consumer = await startReliableConsumer<{ message: KafkaMessage; dedupeKey: string }>({
      name: 'dead-letter-indexer',
      kafka,
      pool,
      topics: [...DEAD_LETTER_TOPICS],
      // Never used: nothing here is bad, and unclassified failures retry for as long as it takes.
      dlqTopic: (topic) => topic,
      decode: (message) => ({
        message,
        dedupeKey: dedupeKeyOf(headerText(message.headers), message.value),
      }),
      eventId: ({ dedupeKey }) => `dead-letter:${dedupeKey}`,
      handle: async ({ message }, tx, context) => {
        if (await indexDeadLetter(tx, deadLetterEntry(message, context))) {
          logger.info('dead letter indexed', { ...context });
        }
      },
      retry: { attempts: Number.MAX_SAFE_INTEGER, baseMs: 200, maxMs: 5_000 },
      registry,
      logger,
    });
  }

  waiting(): DependencyWait[] {
    return this.consumer?.waiting() ?? [];
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
