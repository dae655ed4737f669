/**
 * One attempt at a message's effect, exactly once: a PostgreSQL transaction that first records
 * the event id in the consumer's inbox and runs the handler only if the id is new, so a
 * redelivered event commits as a duplicate with no effect. A failed attempt rolls back, inbox row
 * included. A failure of the inbox itself is told apart (classify.ts): a data or constraint error
 * about this message's id is a `BadMessage`; anything else there (no connection, the server
 * restarting) is `DependencyDown('postgres')`, so the caller waits instead of dead-lettering.
 */
import { type Pool, type PoolClient } from 'pg';
import { recordInInbox } from '@order-platform/stores';
import { BadMessage, classifyFailure, DependencyDown } from './classify';
import { type MessageContext } from './message';

export interface InboxTransaction<E> {
  pool: Pool;
  /** The inbox key: whose inbox the event id goes into. */
  consumer: string;
  handle: (event: E, tx: PoolClient, context: MessageContext) => Promise<void>;
}

/** A failure of the inbox's own work: about the message (bad) or about PostgreSQL (down). */
function inboxFailure(error: unknown): Error {
  const verdict = classifyFailure(error);
  if (verdict.kind === 'bad') return new BadMessage(`inbox refused it: ${verdict.reason}`);
  return new DependencyDown('postgres', error);
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
    throw new DependencyDown('postgres', error);
  }
  let broken: Error | undefined;
  try {
    let fresh: boolean;
    try {
      await client.query('BEGIN');
      fresh = await recordInInbox(client, { consumer, eventId, topic: context.topic });
    } catch (error) {
      throw inboxFailure(error);
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
