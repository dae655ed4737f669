/**
 * What the reliable consumer does with one message until it is done with it: decode it (poison
 * is dead-lettered at once, never reaching the database), then apply it in the inbox transaction.
 * A failure is classified (classify.ts): a bad message is dead-lettered at once with its reason;
 * a dependency that is down holds the partition at this message, trying again with capped
 * backoff for as long as it takes (the wait is a metric and in health), never dead-lettering it;
 * anything unclassified is retried until its attempts are spent and then dead-lettered, so a bug
 * never blocks its partition for good.
 */
import { type KafkaMessage } from 'kafkajs';
import { type Logger } from '../logger';
import { type IdempotentProducer } from '../kafka';
import { classifyFailure } from './classify';
import { type DeadLetterClass, deadLetterRecord } from './dead-letter';
import { applyInInbox, type InboxTransaction } from './inbox-transaction';
import { describeError, isPoison, type MessageContext, type Outcome, type Poison } from './message';
import { type ConsumerMetrics } from './metrics';
import { backoffDelayMs, waitHeartbeating, type RetryPolicy } from './retry';

export interface MessageProcessing<E> extends InboxTransaction<E> {
  decode: (message: KafkaMessage) => E | Poison;
  eventId: (event: E) => string;
  retry: RetryPolicy;
  dlqTopic: (topic: string) => string;
  producer: Pick<IdempotentProducer, 'send'>;
  metrics: Pick<ConsumerMetrics, 'retried' | 'held' | 'released'>;
  logger: Pick<Logger, 'warn'>;
  /** Aborted when the consumer stops: a wait to retry then ends by throwing `Stopping`. */
  stopping: AbortSignal;
}

export type ProcessMessage = (
  message: KafkaMessage,
  context: MessageContext,
  heartbeat: () => Promise<void>,
) => Promise<Outcome>;

/** The message's event and its id, or why it can never be applied. */
export function decodeMessage<E>(
  { decode, eventId }: Pick<MessageProcessing<E>, 'decode' | 'eventId'>,
  message: KafkaMessage,
): { event: E; id: string } | Poison {
  try {
    const result = decode(message);
    if (isPoison(result)) return result;
    const id = eventId(result);
    if (typeof id !== 'string' || id.length === 0) return { poison: 'no event id' };
    return { event: result, id };
  } catch (error) {
    return { poison: `undecodable: ${describeError(error)}` };
  }
}

export function messageProcessor<E>(processing: MessageProcessing<E>): ProcessMessage {
  const { consumer, retry, dlqTopic, producer, metrics, logger } = processing;

  async function deadLetter(
    message: KafkaMessage,
    context: MessageContext,
    reason: string,
    attempts: number,
    kind: DeadLetterClass,
    wait: (ms: number) => Promise<void>,
    eventId?: string,
  ): Promise<void> {
    let record = deadLetterRecord(message, context, {
      topic: dlqTopic(context.topic),
      consumer,
      reason,
      attempts,
      kind,
      eventId,
    });
    // Kafka down: the dead letter waits like any effect would; the offset stays until it is sent.
    for (let outages = 1; ; outages++) {
      try {
        await producer.send(record);
        break;
      } catch (error) {
        if (classifyFailure(error).kind === 'bad' && message.value !== null) {
          // Kafka refuses the record itself (too large with our headers): send it without its
          // value, saying so, rather than wait forever for something that will never fit.
          const size = message.value.length;
          record = deadLetterRecord({ ...message, value: null }, context, {
            topic: dlqTopic(context.topic),
            consumer,
            reason: `${reason} (value of ${size} bytes dropped: the DLQ refused it)`,
            attempts,
            kind,
            eventId,
          });
          continue;
        }
        metrics.held(context, { dependency: 'kafka', reason: describeError(error) });
        logger.warn('dead letter not sent, waiting for kafka', { consumer, ...context, outages });
        await wait(backoffDelayMs(outages, retry));
      }
    }
    logger.warn('message sent to the dead-letter topic', { consumer, ...context, reason });
  }

  return async (message, context, heartbeat) => {
    const wait = (ms: number) => waitHeartbeating(ms, heartbeat, processing.stopping);
    const decoded = decodeMessage(processing, message);
    if (isPoison(decoded)) {
      try {
        await deadLetter(message, context, `poison: ${decoded.poison}`, 0, 'poison', wait);
      } finally {
        metrics.released(context);
      }
      return 'dlq';
    }
    const { event, id } = decoded;
    let failures = 0;
    let outages = 0;
    try {
      for (;;) {
        try {
          return await applyInInbox(processing, event, id, context);
        } catch (error) {
          const verdict = classifyFailure(error);
          if (verdict.kind === 'bad') {
            // Rolled back, so not in the inbox: replayed from the DLQ once fixed, it applies.
            await deadLetter(
              message,
              context,
              `bad: ${verdict.reason}`,
              failures + 1,
              'bad',
              wait,
              id,
            );
            return 'dlq';
          }
          if (verdict.kind === 'dependency-down') {
            outages++;
            metrics.held(context, { dependency: verdict.dependency, reason: verdict.reason });
            logger.warn('dependency down, partition waits', {
              consumer,
              ...context,
              dependency: verdict.dependency,
              reason: verdict.reason,
              outages,
            });
            await wait(backoffDelayMs(outages, retry));
            continue;
          }
          failures++;
          if (failures >= retry.attempts) {
            await deadLetter(
              message,
              context,
              `handler failed: ${verdict.reason}`,
              failures,
              'unclassified',
              wait,
              id,
            );
            return 'dlq';
          }
          metrics.retried(context.topic);
          logger.warn('handler failed, retrying', {
            consumer,
            ...context,
            attempt: failures,
            error: describeError(error),
          });
          await wait(backoffDelayMs(failures, retry));
        }
      }
    } finally {
      metrics.released(context);
    }
  };
}
