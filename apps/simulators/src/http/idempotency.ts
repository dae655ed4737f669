/**
 * Idempotency, in one place, for every POST that creates or changes something: the caller sends
 * an `Idempotency-Key`; the first response for a key (on that path) is stored in the same
 * transaction as the change it reports, and replayed for the same key: same status, same body,
 * plus `Idempotent-Replayed: true`. So a retried call never charges, reserves or notifies twice.
 *
 * - Concurrent calls with one key are serialised on the key's row: the second waits for the
 *   first to commit, then replays it.
 * - Business problems (4xx) are stored and replayed like successes; the change the handler made
 *   before throwing is rolled back (savepoint). Failures (5xx, including a simulated outage) are
 *   not stored, so a retry with the same key really retries.
 * - A key reused for a different body is refused (422): it is a caller bug, not a retry.
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable, TableSet } from '../db';
import { problem, ProblemError } from './problem';
import type { Reply, Request } from './router';

export const idempotencyTables: TableSet = {
  tables: ['idempotency_keys'],
  ddl: `
    CREATE TABLE IF NOT EXISTS idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      fingerprint text NOT NULL,
      status integer,
      body json, -- json, not jsonb: a replay sends the very same text
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    );`,
};

export interface IdempotencyOptions {
  /** Runs before a first (not replayed) call does its work, outside the transaction: dials. */
  before?: () => Promise<void>;
  /** How a stored response is replayed; by default exactly as it was first sent. */
  replay?: (stored: Reply) => Reply;
}

const MAX_KEY_LENGTH = 255;

export async function idempotent(
  db: Db,
  request: Request,
  work: (tx: Queryable) => Promise<Reply>,
  options: IdempotencyOptions = {},
): Promise<Reply> {
  const key = idempotencyKeyOf(request);
  const scope = `${request.method} ${request.path}`;
  const fingerprint = fingerprintOf(request.body);
  const replay = (stored: Reply): Reply => {
    const reply = options.replay ? options.replay(stored) : stored;
    return { ...reply, headers: { ...reply.headers, 'idempotent-replayed': 'true' } };
  };

  // A retry of a finished call is answered at once, without the dials (the provider's
  // idempotency store answers it, not its slow back end).
  const earlier = await storedReply(db, scope, key, fingerprint);
  if (earlier) return replay(earlier);
  await options.before?.();

  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [scope, key, fingerprint],
    );
    const stored = await storedReply(tx, scope, key, fingerprint, 'FOR UPDATE');
    if (stored) return replay(stored);

    await tx.query('SAVEPOINT work');
    let reply: Reply;
    try {
      reply = await work(tx);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status >= 500) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT work');
      reply = { status: error.status, body: error.toDocument() };
    }
    await tx.query(
      'UPDATE idempotency_keys SET status = $3, body = $4 WHERE scope = $1 AND key = $2',
      [scope, key, reply.status, JSON.stringify(reply.body ?? null)],
    );
    return reply;
  });
}

function idempotencyKeyOf(request: Request): string {
  const header = request.headers['idempotency-key'];
  const key = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!key) {
    throw problem('idempotency-key-missing', `${request.method} ${request.path} changes state`);
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw problem('invalid-request', `Idempotency-Key is longer than ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}

/** The stored reply for the key, undefined when there is none yet (or it is being written). */
async function storedReply(
  q: Queryable,
  scope: string,
  key: string,
  fingerprint: string,
  lock = '',
): Promise<Reply | undefined> {
  const { rows } = await q.query<{ fingerprint: string; status: number | null; body: unknown }>(
    `SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2 ${lock}`,
    [scope, key],
  );
  const row = rows[0];
  if (!row || row.status === null) return undefined;
  if (row.fingerprint !== fingerprint) {
    throw problem('idempotency-key-reused', `key "${key}" was first used with another body`);
  }
  return { status: row.status, body: row.body };
}

/** Same JSON, same fingerprint, whatever the order of its fields. */
function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
