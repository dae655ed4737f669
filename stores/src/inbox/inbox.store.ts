/**
 * The inbox of idempotent consumers (`inbox_event`): each event id is recorded in the same
 * transaction as the consumer's durable effect, so a redelivered event is recognised and
 * skipped. SQL by hand on the consumer's pg client: the transaction is the consumer's, not
 * TypeORM's.
 */
import type { PoolClient } from 'pg';

/**
 * Records the event in `consumer`'s inbox within `tx` (already begun).
 * @returns true when the event is new, false when the inbox already had it
 */
export async function recordInInbox(
  tx: Pick<PoolClient, 'query'>,
  entry: { consumer: string; eventId: string; topic: string },
): Promise<boolean> {
  const inserted = await tx.query(
    'INSERT INTO inbox_event (consumer, event_id, topic) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [entry.consumer, entry.eventId, entry.topic],
  );
  return inserted.rowCount === 1;
}

/**
 * Records several events of one topic in `consumer`'s inbox within `tx` (already begun), in one
 * statement: the reliable consumer's batch of a partition. An id given twice is recorded once.
 * @returns the ids that were new (the rest the inbox already had)
 */
export async function recordManyInInbox(
  tx: Pick<PoolClient, 'query'>,
  entries: { consumer: string; eventIds: readonly string[]; topic: string },
): Promise<Set<string>> {
  const { rows } = await tx.query<{ event_id: string }>(
    `INSERT INTO inbox_event (consumer, event_id, topic)
     SELECT $1, id, $3 FROM unnest($2::text[]) AS id
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [entries.consumer, entries.eventIds, entries.topic],
  );
  return new Set(rows.map((row) => row.event_id));
}

/**
 * Forgets events in `consumer`'s inbox within `tx`: for an event taken back out of the consumer's
 * effect (a parked fact moved to the dead-letter topic), so a replay of it applies.
 */
export async function forgetInInbox(
  tx: Pick<PoolClient, 'query'>,
  consumer: string,
  eventIds: string[],
): Promise<void> {
  await tx.query('DELETE FROM inbox_event WHERE consumer = $1 AND event_id = ANY($2)', [
    consumer,
    eventIds,
  ]);
}
