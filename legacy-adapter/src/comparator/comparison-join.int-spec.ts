/**
 * The comparator's join on the stack's PostgreSQL: the two sides' first facts of one stage,
 * applied by two transactions at once (two partitions, two batches), must meet in one row and
 * one verdict. The second insert waits for the first transaction and then joins its row; it is
 * never refused as a duplicate key (which would dead-letter a good fact).
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { suiteEnv } from '@order-platform/tools';
import { inTransaction } from '@order-platform/runtime';
import { ComparisonJoin } from './comparison-join';

describe('the comparison join (real PostgreSQL)', () => {
  let pool: Pool;
  const join = new ComparisonJoin();

  beforeAll(() => {
    pool = new Pool({ connectionString: suiteEnv('DATABASE_URL'), max: 4 });
  });
  afterAll(() => pool.end());

  it('joins the two sides first facts of a stage arriving in two transactions at once into one verdict', async () => {
    const orderId = `cmp-race-${randomUUID()}`;
    const fact = (eventId: string) => ({
      stage: 'fraud' as const,
      subject: '',
      decision: { decision: 'approve' },
      sequence: 1,
      eventId,
    });
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstOpened!: () => void;
    const opened = new Promise<void>((resolve) => (firstOpened = resolve));

    // The legacy side opens the row and keeps its transaction open, as a long batch would.
    const first = inTransaction(pool, async (tx) => {
      const comparison = await join.observe(tx, orderId, 'legacy', fact('l-1'), [], new Date());
      firstOpened();
      await firstHolds;
      return comparison;
    });
    await opened;
    // The new side finds no row yet (the first is not committed) and inserts: that waits.
    const second = inTransaction(pool, (tx) =>
      join.observe(tx, orderId, 'new', fact('n-1'), [], new Date()),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    releaseFirst();

    expect((await first).outcome).toBe('pending');
    const joined = await second;
    expect(joined.outcome).toBe('match');
    expect(joined.legacy?.eventId).toBe('l-1');
    expect(joined.new?.eventId).toBe('n-1');
    const { rows } = await pool.query<{ outcome: string }>(
      'SELECT outcome FROM stage_comparison WHERE order_id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ outcome: 'match' }]);
  });
});
