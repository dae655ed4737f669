import type { PoolClient } from 'pg';
import { inTransaction, TransactionAborted } from './transaction';

/** A pooled connection that records what it was asked, answering as PostgreSQL names it. */
function fakePool(answers: Record<string, string | Error> = {}) {
  const log: string[] = [];
  const client = {
    query: async (sql: string) => {
      log.push(sql);
      const answer = answers[sql];
      if (answer instanceof Error) throw answer;
      return { rows: [], command: answer ?? sql.split(' ')[0] };
    },
    release: (broken?: Error) => log.push(broken ? `destroy: ${broken.message}` : 'release'),
  } as unknown as PoolClient;
  return { log, pool: { connect: async () => client } };
}

describe('one transaction on a pooled connection', () => {
  it('commits the work and hands back its result and the connection', async () => {
    const { log, pool } = fakePool();
    expect(await inTransaction(pool, async (tx) => (await tx.query('SELECT work'), 42))).toBe(42);
    expect(log).toEqual(['BEGIN', 'SELECT work', 'COMMIT', 'release']);
  });

  it('rolls back and rethrows what the work threw', async () => {
    const { log, pool } = fakePool();
    const failing = inTransaction(pool, async () => Promise.reject(new Error('Kafka away')));
    await expect(failing).rejects.toThrow('Kafka away');
    expect(log).toEqual(['BEGIN', 'ROLLBACK', 'release']);
  });

  it('refuses a COMMIT that PostgreSQL turned into ROLLBACK (work swallowed an SQL error)', async () => {
    const { log, pool } = fakePool({ COMMIT: 'ROLLBACK' });
    const swallowed = inTransaction(pool, async (tx) => {
      await tx.query('INSERT broken').catch(() => undefined);
      return 'written?';
    });
    await expect(swallowed).rejects.toBeInstanceOf(TransactionAborted);
    expect(log.slice(-2)).toEqual(['ROLLBACK', 'release']);
  });

  it('destroys a connection that cannot even roll back', async () => {
    const { log, pool } = fakePool({ ROLLBACK: new Error('connection terminated') });
    await expect(inTransaction(pool, async () => Promise.reject(new Error('x')))).rejects.toThrow(
      'x',
    );
    expect(log.at(-1)).toBe('destroy: connection terminated');
  });

  it('says what a failure to start becomes: no connection, or no BEGIN', async () => {
    const down = (error: unknown) => new Error(`postgres down: ${String(error)}`);
    const noConnection = { connect: () => Promise.reject(new Error('ECONNREFUSED')) };
    await expect(
      inTransaction(noConnection, async () => 1, { failedToStart: down }),
    ).rejects.toThrow('postgres down: Error: ECONNREFUSED');
    const { log, pool } = fakePool({ BEGIN: new Error('server closed the connection') });
    let ran = false;
    await expect(
      inTransaction(pool, async () => (ran = true), { failedToStart: down }),
    ).rejects.toThrow('postgres down: Error: server closed the connection');
    expect(ran).toBe(false);
    expect(log.at(-1)).toBe('release');
  });
});
