/**
 * Facts parked ahead of their order's placement (`legacy_fact_parked`) that still have no
 * placement after a bound refer to nothing: the bridge moves them to the dead-letter topic with
 * that reason, so they are seen and can be replayed once their order exists, instead of waiting
 * unseen forever. In one transaction: the parked rows and the facts' inbox entries are removed
 * (so a replay applies), and the dead letters are on the topic before it commits; a failed send
 * leaves them parked for the next sweep.
 */
import type { Pool } from 'pg';
import { deadLetterTopic, TOPICS } from '@order-platform/domain';
import { type IdempotentProducer, inTransaction, type Logger } from '@order-platform/runtime';
import { forgetInInbox, takeStaleParkedLegacyFacts } from '@order-platform/stores';

/** Facts moved per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

export interface StaleParkedFactSweep {
  pool: Pick<Pool, 'connect'>;
  producer: Pick<IdempotentProducer, 'send'>;
  /** The bridge's inbox name: the consumer the facts were parked by. */
  consumer: string;
  boundMs: number;
  logger: Pick<Logger, 'warn'>;
}

/** @returns how many facts were moved to the dead-letter topic */
export async function sweepStaleParkedFacts({
  pool,
  producer,
  consumer,
  boundMs,
  logger,
}: StaleParkedFactSweep): Promise<number> {
  const moved = await inTransaction(pool, async (tx) => {
    const stale = await takeStaleParkedLegacyFacts(tx, boundMs, SWEEP_BATCH);
    if (stale.length === 0) return 0;
    await forgetInInbox(
      tx,
      consumer,
      stale.map(({ fact }) => fact.eventId),
    );
    const failedAt = new Date().toISOString();
    await producer.send({
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      messages: stale.map(({ fact, parkedAt }) => ({
        key: fact.orderId,
        value: JSON.stringify(fact),
        headers: {
          'x-dlq-reason': `bad: refers to nothing: no LegacyOrderPlaced for ${fact.orderId} within ${Math.round(boundMs / 1000)} s of ${parkedAt.toISOString()}`,
          'x-dlq-source-topic': TOPICS.legacyOrderEvents,
          'x-dlq-attempts': '0',
          'x-dlq-consumer': consumer,
          'x-dlq-class': 'bad',
          'x-dlq-failed-at': failedAt,
          'x-dlq-event-id': fact.eventId,
        },
      })),
    });
    return stale.length;
  });
  if (moved > 0) {
    logger.warn('parked facts with no placement moved to the dead-letter topic', {
      facts: moved,
      boundMs,
    });
  }
  return moved;
}
