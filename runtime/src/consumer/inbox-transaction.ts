/**
 * One attempt at a message's effect, exactly once: a PostgreSQL transaction that first records
 * the event id in the consumer's inbox and runs the handler only if the id is new, so a
 * redelivered event commits as a duplicate with no effect. A failed attempt rolls back, inbox row
 * included. When the inbox itself cannot be reached the failure is an `InboxUnavailable`: the
 * database is down, not the message at fault, so the caller waits instead of spending attempts.
 */
import { type Pool, type PoolClient } from 'pg';
import { recordInInbox } from '@order-platform/stores';
import { describeError, type MessageContext } from './message';

/** The inbox itself could not be reached: not the message's fault, so not a counted attempt. */
export class InboxUnavailable extends Error {
  constructor(cause: unknown) {
    super(describeError(cause), { cause });
  }
}

export interface InboxTransaction<E> {
  pool: Pool;
  /** The inbox key: whose inbox the event id goes into. */
  consumer: string;
  handle: (event: E, tx: PoolClient, context: MessageContext) => Promise<void>;
}

export async function applyInInbox<E>(
  { pool, consumer, handle }: InboxTransaction<E>,
  event: E,
  eventId: string,
  context: MessageContext,
): Promise<'applied' | 'duplicate'> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new InboxUnavailable(error);
  }
  let broken: Error | undefined;
  try {
    let fresh: boolean;
    try {
      await client.query('BEGIN');
      fresh = await recordInInbox(client, { consumer, eventId, topic: context.topic });
    } catch (error) {
      throw new InboxUnavailable(error);
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
