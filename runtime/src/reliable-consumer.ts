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
import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import { type Pool, type PoolClient } from 'pg';
import { register as defaultRegistry, type Registry } from 'prom-client';
import { Backpressure } from './consumer/backpressure';
import { applyManyInInbox, type InboxItem } from './consumer/inbox-transaction';
import { isPoison, type MessageContext, type Outcome, type Poison } from './consumer/message';
import { ConsumerMetrics } from './consumer/metrics';
import { decodeMessage, messageProcessor } from './consumer/process-message';
import { DEFAULT_RETRY, Stopping, type RetryPolicy } from './consumer/retry';
import { createIdempotentProducer } from './kafka';
import { type Logger } from './logger';
import { contextFromHeaders, platformTracer } from './tracing';

export { type MessageContext, type Poison } from './consumer/message';
export { type InboxItem } from './consumer/inbox-transaction';
export {
  BadMessage,
  type Classification,
  classifyFailure,
  DependencyDown,
} from './consumer/classify';
export { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy } from './consumer/retry';

/** How long a consumer kafkajs gave up on waits before it is run again. */
export const RESTART_AFTER_CRASH_MS = 5_000;

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
  /**
   * With `batchSize`: a run's new events in one call, in order (bulk statements), writing what
   * `handle` would have for each; `handle` still takes a run that failed, one at a time.
   */
  handleMany?: (items: readonly InboxItem<E>[], tx: PoolClient) => Promise<void>;
  retry?: RetryPolicy;
  /** Partitions (so messages) handled at once; each holds a pool connection while it runs. */
  maxInFlight?: number;
  /**
   * Consecutive messages of a partition applied in one inbox transaction, with one offset commit
   * after it: 1 (the default) is one at a time. A run that fails is rolled back and taken again
   * one message at a time, so every failure still gets its own answer.
   */
  batchSize?: number;
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
  const batchSize = options.batchSize ?? 1;
  if (
    !Number.isInteger(maxInFlight) ||
    maxInFlight < 1 ||
    !Number.isInteger(batchSize) ||
    batchSize < 1 ||
    retry.attempts < 1
  ) {
    throw new Error(
      `consumer ${name}: maxInFlight, batchSize and retry.attempts must be at least 1`,
    );
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

  /** The consumer span of one message: a child of the span that published it (one trace per order). */
  const messageSpan = (
    topic: string,
    partition: number,
    message: KafkaMessage,
    batched: number,
  ): { span: Span; within: Context } => {
    const parent = contextFromHeaders(message.headers);
    const span = platformTracer().startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.consumer.group.name': name,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': Number(message.offset),
          ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
          ...(batched > 1 ? { 'messaging.batch.message_count': batched } : {}),
        },
      },
      parent,
    );
    return { span, within: trace.setSpan(parent, span) };
  };

  /**
   * The longest run of decodable messages from `start`, up to `batchSize`: what one transaction
   * applies. Poison ends a run; it goes through `processMessage` on its own.
   */
  const decodableRun = (
    messages: KafkaMessage[],
    start: number,
    topic: string,
    partition: number,
  ) => {
    const run: (InboxItem<E> & { message: KafkaMessage })[] = [];
    for (let i = start; i < messages.length && run.length < batchSize; i++) {
      const message = messages[i]!;
      const decoded = decodeMessage(options, message);
      if (isPoison(decoded)) break;
      run.push({ ...decoded, message, context: { topic, partition, offset: message.offset } });
    }
    return run;
  };

  /**
   * A run applied in one inbox transaction, each message in its own span; undefined when the
   * transaction failed (rolled back: nothing of it applied), for the caller to take the run one
   * message at a time, where each failure gets its own answer (dead letter, wait, retry).
   */
  async function applyRun(
    run: (InboxItem<E> & { message: KafkaMessage })[],
  ): Promise<Outcome[] | undefined> {
    const traced = run.map((item) =>
      messageSpan(item.context.topic, item.context.partition, item.message, run.length),
    );
    const spans = traced.map(({ span }) => span);
    const spanOf = new Map<InboxItem<E>, Context>(run.map((item, i) => [item, traced[i]!.within]));
    try {
      const outcomes = await applyManyInInbox({ ...options, consumer: name }, run, (item, work) =>
        context.with(spanOf.get(item)!, work),
      );
      spans.forEach((span, i) =>
        span.setAttribute('order_platform.consumer.outcome', outcomes[i]!),
      );
      return outcomes;
    } catch (error) {
      if (stopping.signal.aborted) throw new Stopping();
      const reason = error instanceof Error ? error.message : String(error);
      for (const span of spans) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: `batch rolled back: ${reason}` });
      }
      logger.warn('batch rolled back, applying its messages one at a time', {
        consumer: name,
        ...run[0]!.context,
        messages: run.length,
        error: reason,
      });
      return undefined;
    } finally {
      spans.forEach((span) => span.end());
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
    const tp = { topic, partition };
    const highWatermark = BigInt(batch.highWatermark);
    const messages = batch.messages;

    /** One message on its own: the outcome of `processMessage`, in its span. */
    const processOne = async (message: KafkaMessage): Promise<Outcome> => {
      metrics.lag(tp, highWatermark - BigInt(message.offset));
      const { span, within } = messageSpan(topic, partition, message, 1);
      try {
        const outcome = await context.with(within, () =>
          processMessage(message, { topic, partition, offset: message.offset }, heartbeat),
        );
        span.setAttribute('order_platform.consumer.outcome', outcome);
        return outcome;
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        throw error;
      } finally {
        span.end();
      }
    };

    /** Only now that the effects (or dead letters) up to `last` are durable does the offset move. */
    const done = async (last: KafkaMessage, outcomes: Outcome[]): Promise<void> => {
      const next = BigInt(last.offset) + 1n;
      // With autoCommit off, commitOffsetsIfNecessary() without offsets commits nothing.
      await commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
      });
      // kafkajs fetches from the resolved offset, not the committed one: without this a batch
      // left early (pause, stop) would be fetched again from its start.
      resolveOffset(last.offset);
      for (const outcome of outcomes) metrics.processed(topic, outcome);
      metrics.lag(tp, highWatermark - next);
      await heartbeat();
    };

    try {
      let i = 0;
      while (i < messages.length) {
        if (stopping.signal.aborted || !isRunning() || isStale()) return;
        const first = messages[i]!;
        // Waiting counts in the age: a paused partition is behind, not idle.
        metrics.at(tp, Number(first.timestamp));
        // Unresolved, the rest of this batch is fetched again after resume.
        if (backpressure.pauseIfOverloaded(tp)) {
          metrics.held(tp, 'overload');
          return;
        }
        const run = batchSize > 1 ? decodableRun(messages, i, topic, partition) : [];
        if (run.length > 1) {
          metrics.lag(tp, highWatermark - BigInt(first.offset));
          const outcomes = await applyRun(run);
          if (outcomes) {
            await done(run[run.length - 1]!.message, outcomes);
            i += run.length;
            continue;
          }
          // Rolled back: the same messages one at a time, each answered on its own.
          for (const { message } of run) {
            if (stopping.signal.aborted || !isRunning() || isStale()) return;
            await done(message, [await processOne(message)]);
          }
          i += run.length;
          continue;
        }
        await done(first, [await processOne(first)]);
        i += 1;
      }
    } catch (error) {
      // Rolled back, offset not committed: the message comes again after the restart.
      if (error instanceof Stopping) return;
      throw error;
    } finally {
      if (!backpressure.isPaused(tp)) metrics.idle(tp);
    }
  }

  const runConfig = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: maxInFlight,
    eachBatch,
  };
  /**
   * kafkajs restarts a crashed consumer itself only after errors it deems retriable; after any
   * other it has disconnected and stays stopped, and the stream would wait for good. So it is
   * run again here, every RESTART_AFTER_CRASH_MS until that takes, from the committed offsets.
   */
  const runAgain = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, RESTART_AFTER_CRASH_MS));
      if (stopping.signal.aborted) return;
      try {
        await consumer.run(runConfig);
        logger.warn('consumer run again after a crash kafkajs would not restart', {
          consumer: name,
        });
        return;
      } catch (error) {
        logger.error('consumer could not be run again; retrying', { consumer: name, error });
        await consumer.disconnect().catch(() => undefined);
      }
    }
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error('consumer crashed', {
      consumer: name,
      error: payload.error,
      restart: payload.restart,
    });
    if (!payload.restart) void runAgain();
  });
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
    await consumer.run(runConfig);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  logger.info('consumer started', { consumer: name, topics, maxInFlight, batchSize });

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
