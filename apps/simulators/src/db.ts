/**
 * The simulators' PostgreSQL connection pool. Their tables live in a schema of their own
 * (`simulators` by default, on the connection's search_path), so they never collide with the
 * platform's tables when both share one database. Money is bigint in the database and a JS
 * number here (safe up to 2^53 minor units).
 */
import { Pool, types, type QueryResultRow } from 'pg';

export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface Db extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A simulator's tables: the DDL that creates them (idempotent) and their names (for reset). */
export interface TableSet {
  tables: string[];
  ddl: string;
  /** What the tables hold at start and after a reset (idempotent), if anything. */
  seed?: string;
}

const INT8_OID = 20;
const parseTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

export function openDb(
  connectionString: string,
  schema: string,
  onIdleError: (error: Error) => void,
): Db {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a plain schema name: ${schema}`);
  const pool = new Pool({
    connectionString,
    max: 10,
    options: `-c search_path=${schema}`,
    types: parseTypes,
  });
  // An idle client losing its connection (database restart) is reported, not a crash: the pool
  // replaces it, and readiness tells whether the database answers.
  pool.on('error', onIdleError);
  // A client checked out when the server goes away emits 'error' too, and the pool listens only
  // while it is idle: without this a restart mid-transaction ended the process. The query in
  // flight still fails, and its caller retries.
  pool.on('connect', (client) => client.on('error', onIdleError));
  return {
    query: (text, values) => pool.query(text, values),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is discarded rather than reused.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
