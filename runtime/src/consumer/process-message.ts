/**
 * What the reliable consumer does with one message until it is done with it: decode it (poison
 * is dead-lettered at once, never reaching the database), then apply it in the inbox transaction,
 * retrying a failing handler with backoff until its attempts are spent and then dead-lettering
 * it, so one bad message never blocks its partition. An unreachable inbox is waited out without
 * spending attempts: a database outage stalls the partition instead of dead-lettering all of it.
 */
import { type KafkaMessage } from 'kafkajs';
import { type Logger } from '../logger';
import { type IdempotentProducer } from '../kafka';
import { deadLetterRecord } from './dead-letter';
import { applyInInbox, InboxUnavailable, type InboxTransaction } from './inbox-transaction';
import { describeError, isPoison, type MessageContext, type Outcome, type Poison } from './message';
import { type ConsumerMetrics } from './metrics';
import { backoffDelayMs, waitHeartbeating, type RetryPolicy } from './retry';

export interface MessageProcessing<E> extends InboxTransaction<E> {
  decode: (message: KafkaMessage) => E | Poison;
  eventId: (event: E) => string;
  retry: RetryPolicy;
  dlqTopic: (topic: string) => string;
  producer: Pick<IdempotentProducer, 'send'>;
  metrics: Pick<ConsumerMetrics, 'retried'>;
  logger: Pick<Logger, 'warn'>;
  /** Aborted when the consumer stops: a wait to retry then ends by throwing `Stopping`. */
  stopping: AbortSignal;
}

export type ProcessMessage = (
  message: KafkaMessage,
  context: MessageContext,
  heartbeat: () => Promise<void>,
) => Promise<Outcome>;

export function messageProcessor<E>(processing: MessageProcessing<E>): ProcessMessage {
  const { consumer, decode, eventId, retry, dlqTopic, producer, metrics, logger } = processing;

  async function deadLetter(
    message: KafkaMessage,
    context: MessageContext,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await producer.send(
      deadLetterRecord(message, context, {
        topic: dlqTopic(context.topic),
        consumer,
        reason,
        attempts,
      }),
    );
    logger.warn('message sent to the dead-letter topic', { consumer, ...context, reason });
  }

  return async (message, context, heartbeat) => {
    let decoded: { event: E; id: string } | Poison;
    try {
      const result = decode(message);
      decoded = isPoison(result) ? result : { event: result, id: eventId(result) };
    } catch (error) {
      decoded = { poison: `undecodable: ${describeError(error)}` };
    }
    if (isPoison(decoded)) {
      await deadLetter(message, context, `poison: ${decoded.poison}`, 0);
      return 'dlq';
    }
    const wait = (ms: number) => waitHeartbeating(ms, heartbeat, processing.stopping);
    let failures = 0;
    let outages = 0;
    for (;;) {
      try {
        return await applyInInbox(processing, decoded.event, decoded.id, context);
      } catch (error) {
        if (error instanceof InboxUnavailable) {
          outages++;
          logger.warn('inbox unavailable, waiting', { consumer, ...context, error });
          await wait(backoffDelayMs(outages, retry));
          continue;
        }
        failures++;
        if (failures >= retry.attempts) {
          // Not recorded in the inbox: replayed from the DLQ once fixed, it must apply.
          await deadLetter(message, context, `handler failed: ${describeError(error)}`, failures);
          return 'dlq';
        }
        metrics.retried(context.topic);
        logger.warn('handler failed, retrying', { consumer, ...context, attempt: failures, error });
        await wait(backoffDelayMs(failures, retry));
      }
    }
  };
}
