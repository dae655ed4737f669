/**
 * One PostgreSQL transaction on a pooled connection, the one way the platform's processes write
 * by hand through `pg` (the reliable consumer's inbox, the bridge's sweep, the outbox source):
 * BEGIN, the work, COMMIT. Any failure rolls back and is rethrown; a connection that cannot even
 * roll back is destroyed rather than handed to the next caller in a broken state. PostgreSQL
 * answers the COMMIT of a transaction that a failed statement aborted with ROLLBACK, not an
 * error: work that swallowed an SQL error would otherwise count as written with nothing written,
 * so that throws too.
 */
import type { Pool, PoolClient } from 'pg';

export interface TransactionOptions {
  /**
   * What a failure to get a connection or to BEGIN becomes: nothing of the work ran, so callers
   * that tell "PostgreSQL is away" from other failures say so here.
   */
  failedToStart?: (error: unknown) => Error;
}

export class TransactionAborted extends Error {
  constructor() {
    super('the transaction was aborted by a failed statement in it');
    this.name = 'TransactionAborted';
  }
}

export async function inTransaction<T>(
  pool: Pick<Pool, 'connect'>,
  work: (tx: PoolClient) => Promise<T>,
  { failedToStart = (error) => asError(error) }: TransactionOptions = {},
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw failedToStart(error);
  }
  let broken: Error | undefined;
  try {
    try {
      await client.query('BEGIN');
    } catch (error) {
      throw failedToStart(error);
    }
    const result = await work(client);
    const committed = await client.query('COMMIT');
    if (committed.command !== 'COMMIT') throw new TransactionAborted();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));
