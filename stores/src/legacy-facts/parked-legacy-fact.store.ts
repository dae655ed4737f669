/**
 * Monolith facts that reached the signal bridge before the `LegacyOrderPlaced` of their order
 * (`legacy_fact_parked`): kept in the inbox's transaction and handed over once the order's
 * workflow starts. Never dropped: one whose placement has not come within the bridge's bound
 * refers to nothing, and the bridge moves it to the dead-letter topic (`takeStaleParkedLegacyFacts`
 * in the transaction that sends it). SQL by hand on the reliable consumer's pg client.
 */
import type { PoolClient } from 'pg';
import type { LegacyEvent } from '@order-platform/domain';

/** Keeps a fact until its order's workflow runs; a fact parked before is kept once. */
export async function parkLegacyFact(tx: PoolClient, fact: LegacyEvent): Promise<void> {
  await tx.query(
    `INSERT INTO legacy_fact_parked (event_id, order_id, fact) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [fact.eventId, fact.orderId, JSON.stringify(fact)],
  );
}

/** Removes and returns the order's parked facts (committed with `tx`, or still parked). */
export async function takeParkedLegacyFacts(
  tx: PoolClient,
  orderId: string,
): Promise<LegacyEvent[]> {
  const { rows } = await tx.query<{ fact: LegacyEvent }>(
    'DELETE FROM legacy_fact_parked WHERE order_id = $1 RETURNING fact',
    [orderId],
  );
  return rows.map((row) => row.fact);
}

/**
 * Removes and returns up to `limit` facts parked longer than `olderThanMs` (oldest first; rows
 * another sweeper holds are skipped). Committed with `tx`, or still parked.
 */
export async function takeStaleParkedLegacyFacts(
  tx: Pick<PoolClient, 'query'>,
  olderThanMs: number,
  limit: number,
): Promise<{ fact: LegacyEvent; parkedAt: Date }[]> {
  const { rows } = await tx.query<{ fact: LegacyEvent; parked_at: Date }>(
    `DELETE FROM legacy_fact_parked WHERE event_id IN (
       SELECT event_id FROM legacy_fact_parked
        WHERE parked_at < now() - $1 * interval '1 millisecond'
        ORDER BY parked_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING fact, parked_at`,
    [olderThanMs, limit],
  );
  return rows.map((row) => ({ fact: row.fact, parkedAt: row.parked_at }));
}
