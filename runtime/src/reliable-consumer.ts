/**
 * The one Kafka consumer loop of the platform. Delivery is at-least-once, so every message runs
 * in a PostgreSQL transaction that first records its event id in the inbox: a redelivered event
 * is recognised and skipped, and the offset is committed only after that transaction (or the
 * dead letter) is durable. A failing handler is retried with capped exponential backoff and full
 * jitter, then its message goes to the dead-letter topic with the reason in headers, so one bad
 * message never blocks its partition. Partitions are processed concurrently up to a bound, each
 * one in order, so per-key order holds and memory is bounded by kafkajs's fetch sizes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import { type Pool, type PoolClient } from 'pg';
import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import { recordInInbox } from '@order-platform/stores';
import { createIdempotentProducer } from './kafka';
import { type Logger } from './logger';

/** What `decode` returns for a message that can never be applied: it goes straight to the DLQ. */
export interface Poison {
  poison: string;
}

export interface RetryPolicy {
  /** Handler runs in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
}

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

export interface ReliableConsumer {
  /** Finishes the messages in flight, commits their offsets, leaves the group, disconnects. */
  stop(): Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 5_000 };
const MAX_BYTES_PER_PARTITION = 256 * 1024;
// Also how long stop() can wait for a fetch in progress.
const MAX_WAIT_TIME_MS = 1_000;
const OVERLOAD_POLL_MS = 200;
// Heartbeat at least this often while waiting to retry, so the group does not evict us.
const HEARTBEAT_SLICE_MS = 1_000;
const MAX_REASON_LENGTH = 1_000;

/** Full jitter: uniform in [0, min(max, base * 2^(failures-1))), so retries do not march in step. */
export function backoffDelayMs(
  failures: number,
  { baseMs, maxMs }: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1)));
}

type Outcome = 'applied' | 'duplicate' | 'dlq';

interface ConsumerMetrics {
  processed: Counter<'consumer' | 'topic' | 'outcome'>;
  retries: Counter<'consumer' | 'topic'>;
  lag: Gauge<'consumer' | 'topic' | 'partition'>;
  /** Each running consumer's age samples, read at scrape time. */
  ageSources: Set<() => { labels: Record<string, string>; seconds: number }[]>;
}

// Several consumers in one process share a registry; prom-client refuses a name registered twice.
const metricsByRegistry = new WeakMap<Registry, ConsumerMetrics>();

function metricsFor(registry: Registry): ConsumerMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const ageSources: ConsumerMetrics['ageSources'] = new Set();
  const metrics: ConsumerMetrics = {
    ageSources,
    processed: new Counter({
      name: 'order_platform_consumer_processed_total',
      help: 'Messages done, by outcome: applied, duplicate (already in the inbox) or dlq',
      labelNames: ['consumer', 'topic', 'outcome'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'order_platform_consumer_retries_total',
      help: 'Handler failures that were retried',
      labelNames: ['consumer', 'topic'] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'order_platform_consumer_lag',
      help: 'Messages behind: high watermark minus the next offset to process, per partition',
      labelNames: ['consumer', 'topic', 'partition'] as const,
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'order_platform_consumer_oldest_unprocessed_age_seconds',
    help: 'Age of the message being processed per partition (the oldest not yet done); 0 when idle',
    labelNames: ['consumer', 'topic', 'partition'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const source of ageSources) {
        for (const { labels, seconds } of source()) this.set(labels, seconds);
      }
    },
  });
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

/** The inbox itself could not be reached: not the message's fault, so not a counted attempt. */
class InboxUnavailable extends Error {}
class Stopping extends Error {}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const isPoison = (value: unknown): value is Poison =>
  typeof value === 'object' && value !== null && typeof (value as Poison).poison === 'string';

export async function startReliableConsumer<E>(
  options: ReliableConsumerOptions<E>,
): Promise<ReliableConsumer> {
  const { name, kafka, pool, topics, dlqTopic, decode, eventId, handle, isOverloaded, logger } =
    options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxInFlight = options.maxInFlight ?? 1;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || retry.attempts < 1) {
    throw new Error(`consumer ${name}: maxInFlight and retry.attempts must be at least 1`);
  }
  const metrics = metricsFor(options.registry ?? defaultRegistry);
  const abort = new AbortController();
  const partitionLabels = (topic: string, partition: number) => ({
    consumer: name,
    topic,
    partition: String(partition),
  });

  // Timestamp (ms) of the message each partition is on or paused at; undefined when idle.
  const current = new Map<string, { topic: string; partition: number; since?: number }>();
  const ageSource = () =>
    [...current.values()].map(({ topic, partition, since }) => ({
      labels: partitionLabels(topic, partition),
      seconds: since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000),
    }));
  metrics.ageSources.add(ageSource);

  const consumer = kafka.consumer({
    groupId: name,
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
    maxWaitTimeInMs: MAX_WAIT_TIME_MS,
    allowAutoTopicCreation: false,
  });
  const producer = createIdempotentProducer(kafka);

  const paused = new Map<string, { topic: string; partition: number }>();
  const resumeWhenRelieved = isOverloaded
    ? setInterval(() => {
        if (paused.size === 0 || isOverloaded()) return;
        consumer.resume(
          [...paused.values()].map((p) => ({ topic: p.topic, partitions: [p.partition] })),
        );
        logger.info('consumer resumed', { consumer: name, partitions: paused.size });
        paused.clear();
      }, OVERLOAD_POLL_MS)
    : undefined;
  resumeWhenRelieved?.unref();

  /** Waits, heartbeating; ends early (throwing Stopping) when the consumer stops. */
  async function backOff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    let left = ms;
    do {
      const slice = Math.min(left, HEARTBEAT_SLICE_MS);
      await sleep(slice, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) throw new Stopping();
      await heartbeat();
      left -= slice;
    } while (left > 0);
  }

  async function applyInInbox(event: E, id: string, context: MessageContext) {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new InboxUnavailable(messageOf(error), { cause: error });
    }
    let broken: Error | undefined;
    try {
      let fresh: boolean;
      try {
        await client.query('BEGIN');
        fresh = await recordInInbox(client, { consumer: name, eventId: id, topic: context.topic });
      } catch (error) {
        throw new InboxUnavailable(messageOf(error), { cause: error });
      }
      if (fresh) await handle(event, client, context);
      // PostgreSQL answers COMMIT of a transaction a failed statement aborted with ROLLBACK, not
      // an error: a handler that swallowed an SQL error would otherwise be "applied" with nothing
      // written, inbox row included, and its offset committed.
      const committed = await client.query('COMMIT');
      if (committed.command !== 'COMMIT') {
        throw new Error('the transaction was aborted by a failed statement in the handler');
      }
      return fresh ? 'applied' : 'duplicate';
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that cannot even roll back is destroyed, not returned to the pool.
      client.release(broken);
    }
  }

  async function deadLetter(
    message: KafkaMessage,
    context: MessageContext,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await producer.send({
      topic: dlqTopic(context.topic),
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            // Error messages can be long (SQL, stacks); a header is no place for all of it.
            'x-dlq-reason': reason.slice(0, MAX_REASON_LENGTH),
            'x-dlq-source-topic': context.topic,
            'x-dlq-source-partition': String(context.partition),
            'x-dlq-source-offset': context.offset,
            'x-dlq-attempts': String(attempts),
            'x-dlq-consumer': name,
          },
        },
      ],
    });
    logger.warn('message sent to the dead-letter topic', { consumer: name, ...context, reason });
  }

  async function processMessage(
    message: KafkaMessage,
    context: MessageContext,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    let decoded: { event: E; id: string } | Poison;
    try {
      const result = decode(message);
      decoded = isPoison(result) ? result : { event: result, id: eventId(result) };
    } catch (error) {
      decoded = { poison: `undecodable: ${messageOf(error)}` };
    }
    if (isPoison(decoded)) {
      await deadLetter(message, context, `poison: ${decoded.poison}`, 0);
      return 'dlq';
    }
    let failures = 0;
    let outages = 0;
    for (;;) {
      try {
        return await applyInInbox(decoded.event, decoded.id, context);
      } catch (error) {
        if (error instanceof InboxUnavailable) {
          // A database outage stalls the partition instead of dead-lettering everything in it.
          outages++;
          logger.warn('inbox unavailable, waiting', { consumer: name, ...context, error });
          await backOff(backoffDelayMs(outages, retry), heartbeat);
          continue;
        }
        failures++;
        if (failures >= retry.attempts) {
          // Not recorded in the inbox: replayed from the DLQ once fixed, it must apply.
          await deadLetter(message, context, `handler failed: ${messageOf(error)}`, failures);
          return 'dlq';
        }
        metrics.retries.inc({ consumer: name, topic: context.topic });
        logger.warn('handler failed, retrying', {
          consumer: name,
          ...context,
          attempt: failures,
          error,
        });
        await backOff(backoffDelayMs(failures, retry), heartbeat);
      }
    }
  }

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const labels = partitionLabels(topic, partition);
    const highWatermark = BigInt(batch.highWatermark);
    const key = `${topic}:${partition}`;
    try {
      for (const message of batch.messages) {
        if (abort.signal.aborted || !isRunning() || isStale()) return;
        // Waiting counts in the age: a paused partition is behind, not idle.
        current.set(key, { topic, partition, since: Number(message.timestamp) });
        if (isOverloaded?.()) {
          // Unresolved, the rest of this batch is fetched again after resume.
          consumer.pause([{ topic, partitions: [partition] }]);
          paused.set(key, { topic, partition });
          logger.info('consumer paused: overloaded', { consumer: name, topic, partition });
          return;
        }
        metrics.lag.set(labels, Number(highWatermark - BigInt(message.offset)));
        const outcome = await processMessage(
          message,
          { topic, partition, offset: message.offset },
          heartbeat,
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
        metrics.processed.inc({ consumer: name, topic, outcome });
        metrics.lag.set(labels, Number(highWatermark - next));
        await heartbeat();
      }
    } catch (error) {
      // Rolled back, offset not committed: the message comes again after the restart.
      if (error instanceof Stopping) return;
      throw error;
    } finally {
      if (current.has(key) && !paused.has(key)) current.set(key, { topic, partition });
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
    const assigned = payload.memberAssignment;
    for (const [key, { topic, partition }] of current) {
      if (assigned[topic]?.includes(partition)) continue;
      current.delete(key);
      paused.delete(key);
      metrics.lag.remove(partitionLabels(topic, partition));
    }
  });

  const close = async (): Promise<void> => {
    abort.abort();
    clearInterval(resumeWhenRelieved);
    metrics.ageSources.delete(ageSource);
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
    stop: () =>
      (stopped ??= close().then(() => logger.info('consumer stopped', { consumer: name }))),
  };
}
