/**
 * The one Kafka consumer loop of the platform. Delivery is at-least-once, so every message runs
 * in a PostgreSQL transaction that first records its event id in the inbox: a redelivered event
 * is recognised and skipped, and the offset is committed only after that transaction (or the
 * dead letter) is durable. A failing handler is retried with capped exponential backoff and full
 * A failure is classified (consumer/classify.ts): a bad message goes to the dead-letter topic at
 * once with its reason in headers, so it never blocks its partition; a dependency that is down
 * (Temporal, PostgreSQL, Kafka, a downstream) holds the partition at its message and is tried
 * again with capped backoff until it is back, never dead-lettering the message; anything
 * unclassified is retried with capped exponential backoff and full jitter, then dead-lettered. Partitions are processed concurrently up to a bound, each
 * one in order, so per-key order holds and memory is bounded by kafkajs's fetch sizes.
 *
 * This module is the loop and its lifecycle; consumer/ holds its parts: what happens to one
 * message (process-message.ts, inbox-transaction.ts, dead-letter.ts, retry.ts), pausing under
 * load (backpressure.ts) and the lag and age metrics (metrics.ts).
 */
import { SpanKind } from '@opentelemetry/api';
import { type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import { type Pool, type PoolClient } from 'pg';
import { register as defaultRegistry, type Registry } from 'prom-client';
import { Backpressure } from './consumer/backpressure';
import { type MessageContext, type Poison } from './consumer/message';
import { ConsumerMetrics } from './consumer/metrics';
import { messageProcessor } from './consumer/process-message';
import { DEFAULT_RETRY, Stopping, type RetryPolicy } from './consumer/retry';
import { createIdempotentProducer } from './kafka';
import { type Logger } from './logger';
import { contextFromHeaders, inSpan } from './tracing';

export { type MessageContext, type Poison } from './consumer/message';
export {
  BadMessage,
  type Classification,
  classifyFailure,
  DependencyDown,
} from './consumer/classify';
export { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy } from './consumer/retry';

export interface ReliableConsumerOptions<E> {
  /** The inbox key and the consumer group id. */
  name: string;
  kafka: Kafka;
  /** The platform database, where `inbox_event` lives. */
  pool: Pool;
  topics: string[];
  dlqTopic: (topic: string) => string;
  /** Parses and validates; an `E` must not itself carry a string `poison` field. */
  decode: (message: KafkaMessage) => E | Poison;
  eventId: (event: E) => string;
  /** The durable effect, written with `tx` inside the inbox transaction. */
  handle: (event: E, tx: PoolClient, context: MessageContext) => Promise<void>;
  retry?: RetryPolicy;
  /** Partitions (so messages) handled at once; each holds a pool connection while it runs. */
  maxInFlight?: number;
  /** Backpressure: while true, partitions pause before their next message. */
  isOverloaded?: () => boolean;
  registry?: Registry;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Where a new group starts; the beginning by default, the inbox skips what was applied. */
  fromBeginning?: boolean;
}

/** A partition held at a message while a dependency is down. */
export interface DependencyWait {
  topic: string;
  partition: number;
  dependency: string;
  reason: string;
  waitingSeconds: number;
}

export interface ReliableConsumer {
  /** Partitions waiting for a dependency now: for health detail. */
  waiting(): DependencyWait[];
  /** Finishes the messages in flight, commits their offsets, leaves the group, disconnects. */
  stop(): Promise<void>;
}

const MAX_BYTES_PER_PARTITION = 256 * 1024;
// Also how long stop() can wait for a fetch in progress.
const MAX_WAIT_TIME_MS = 1_000;

export async function startReliableConsumer<E>(
  options: ReliableConsumerOptions<E>,
): Promise<ReliableConsumer> {
  const { name, kafka, topics, logger } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxInFlight = options.maxInFlight ?? 1;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || retry.attempts < 1) {
    throw new Error(`consumer ${name}: maxInFlight and retry.attempts must be at least 1`);
  }
  const metrics = new ConsumerMetrics(name, options.registry ?? defaultRegistry);
  const stopping = new AbortController();

  const consumer = kafka.consumer({
    groupId: name,
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
    maxWaitTimeInMs: MAX_WAIT_TIME_MS,
    allowAutoTopicCreation: false,
  });
  const producer = createIdempotentProducer(kafka);
  const backpressure = new Backpressure(consumer, {
    ...options,
    onResume: (partitions) => partitions.forEach((tp) => metrics.released(tp)),
  });
  const processMessage = messageProcessor({
    ...options,
    consumer: name,
    retry,
    producer,
    metrics,
    stopping: stopping.signal,
  });

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const tp = { topic, partition };
    const highWatermark = BigInt(batch.highWatermark);
    try {
      for (const message of batch.messages) {
        if (stopping.signal.aborted || !isRunning() || isStale()) return;
        // Waiting counts in the age: a paused partition is behind, not idle.
        metrics.at(tp, Number(message.timestamp));
        // Unresolved, the rest of this batch is fetched again after resume.
        if (backpressure.pauseIfOverloaded(tp)) {
          metrics.held(tp, 'overload');
          return;
        }
        metrics.lag(tp, highWatermark - BigInt(message.offset));
        // A child of the span that published it (its headers' traceparent): one trace per order.
        const outcome = await inSpan(
          `process ${topic}`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextFromHeaders(message.headers),
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'process',
              'messaging.destination.name': topic,
              'messaging.consumer.group.name': name,
              'messaging.destination.partition.id': String(partition),
              'messaging.kafka.offset': Number(message.offset),
              ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
            },
          },
          async (span) => {
            const result = await processMessage(
              message,
              { topic, partition, offset: message.offset },
              heartbeat,
            );
            span.setAttribute('order_platform.consumer.outcome', result);
            return result;
          },
        );
        const next = BigInt(message.offset) + 1n;
        // Only now that the effect (or its dead letter) is durable does the offset move. With
        // autoCommit off, commitOffsetsIfNecessary() without offsets commits nothing.
        await commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
        });
        // kafkajs fetches from the resolved offset, not the committed one: without this a batch
        // left early (pause, stop) would be fetched again from its start.
        resolveOffset(message.offset);
        metrics.processed(topic, outcome);
        metrics.lag(tp, highWatermark - next);
        await heartbeat();
      }
    } catch (error) {
      // Rolled back, offset not committed: the message comes again after the restart.
      if (error instanceof Stopping) return;
      throw error;
    } finally {
      if (!backpressure.isPaused(tp)) metrics.idle(tp);
    }
  }

  consumer.on(consumer.events.CRASH, ({ payload }) =>
    logger.error('consumer crashed', {
      consumer: name,
      error: payload.error,
      restart: payload.restart,
    }),
  );
  // A revoked partition's lag and age belong to its new owner now.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const revoked of metrics.forgetRevoked(payload.memberAssignment)) {
      backpressure.forget(revoked);
    }
  });

  const close = async (): Promise<void> => {
    stopping.abort();
    backpressure.stop();
    metrics.close();
    try {
      await consumer.disconnect();
    } finally {
      await producer.disconnect();
    }
  };

  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: maxInFlight,
      eachBatch,
    });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  logger.info('consumer started', { consumer: name, topics, maxInFlight });

  let stopped: Promise<void> | undefined;
  return {
    waiting: () =>
      metrics.heldPartitions().flatMap(({ topic, partition, hold }) =>
        hold.cause === 'overload'
          ? []
          : [
              {
                topic,
                partition,
                dependency: hold.cause.dependency,
                reason: hold.cause.reason,
                waitingSeconds: Math.round((Date.now() - hold.sinceMs) / 1000),
              },
            ],
      ),
    stop: () =>
      (stopped ??= close().then(() => logger.info('consumer stopped', { consumer: name }))),
  };
}
