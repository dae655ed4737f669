/**
 * The comparator's join on the stack's PostgreSQL: the two sides' first facts of one stage,
 * applied by two transactions at once (two partitions, two batches), must meet in one row and
 * one verdict. The second insert waits for the first transaction and then joins its row; it is
 * never refused as a duplicate key (which would dead-letter a good fact). A run of facts joined
 * in bulk (`observeMany`) leaves the rows, verdicts and rule hits that one by one would.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { suiteEnv } from '@order-platform/tools';
import { inTransaction } from '@order-platform/runtime';
import { type Comparison, ComparisonJoin, type Observation } from './comparison-join';

describe('the comparison join (real PostgreSQL)', () => {
  let pool: Pool;
  const join = new ComparisonJoin();
  /** A first fraud fact approving, as either side sends it. */
  const fact = (eventId: string) => ({
    stage: 'fraud' as const,
    subject: '',
    decision: { decision: 'approve' },
    sequence: 1,
    eventId,
  });

  beforeAll(() => {
    pool = new Pool({ connectionString: suiteEnv('DATABASE_URL'), max: 4 });
  });
  afterAll(() => pool.end());

  it('joins the two sides first facts of a stage arriving in two transactions at once into one verdict', async () => {
    const orderId = `cmp-race-${randomUUID()}`;
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

  it('joins a run in bulk exactly as one fact at a time: rows, comparisons and rule hits', async () => {
    const { rows: rules } = await pool.query<{ id: string }>(
      `INSERT INTO comparison_ignore_rule (stage, field, reason, owner, expires_at)
       VALUES ('payment', 'amountMinor', 'rounding', 'test', now() + interval '1 hour') RETURNING id::text`,
    );
    const rule = {
      id: rules[0]!.id,
      stage: 'payment' as const,
      field: 'amountMinor',
      reason: 'rounding',
      owner: 'test',
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    const decision = (stage: string, d: Record<string, string | number | boolean>, seq: number) =>
      ({ stage, subject: '', decision: d, sequence: seq }) as Omit<Observation['fact'], 'eventId'>;
    // Per order: a match, a mismatch, an excused mismatch, a repeat, a second and a late fact,
    // a lone fact, and a row that exists before the run.
    const script = (order: string): Observation[] => {
      const o = (side: Observation['side'], f: ReturnType<typeof decision>, id: string) => ({
        orderId: order,
        side,
        fact: { ...f, eventId: `${order}:${id}` },
      });
      return [
        o('legacy', decision('fraud', { decision: 'approve' }, 3), 'l-fraud'),
        o('new', decision('fraud', { decision: 'approve' }, 2), 'n-fraud'),
        o('legacy', decision('inventory', { reserved: true }, 4), 'l-inv'),
        o('new', decision('inventory', { reserved: false }, 3), 'n-inv'),
        o('new', decision('payment', { authorized: true, amountMinor: 100 }, 4), 'n-pay'),
        o('legacy', decision('payment', { authorized: true, amountMinor: 101 }, 5), 'l-pay'),
        o('legacy', decision('fraud', { decision: 'approve' }, 3), 'l-fraud'),
        o('legacy', decision('fraud', { decision: 'reject' }, 2), 'l-fraud-late'),
        o('new', decision('fulfilment', { shipped: true }, 9), 'n-ship'),
        o('new', decision('fulfilment', { shipped: true }, 10), 'n-ship-again'),
        o('legacy', decision('notification', { notified: true }, 6), 'l-note'),
      ];
    };
    const prepare = (order: string) =>
      inTransaction(pool, (tx) =>
        join.observe(
          tx,
          order,
          'new',
          { ...decision('notification', { notified: true }, 5), eventId: `${order}:n-note` },
          [],
          new Date(),
        ),
      );
    const hits = async () =>
      (
        await pool.query<{ hit_count: number }>(
          'SELECT hit_count::int AS hit_count FROM comparison_ignore_rule WHERE id = $1',
          [rule.id],
        )
      ).rows[0]!.hit_count;
    const rowsOf = async (order: string) =>
      (
        await pool.query(
          `SELECT stage, subject, outcome, differences, legacy, new, ignored_by::text
             FROM stage_comparison WHERE order_id = $1 ORDER BY stage, subject`,
          [order],
        )
      ).rows.map((row) => JSON.parse(JSON.stringify(row).replaceAll(order, 'ORDER')) as unknown);
    const neutral = (comparisons: Comparison[], order: string) =>
      JSON.parse(JSON.stringify(comparisons).replaceAll(order, 'ORDER')) as unknown;

    const single = `cmp-single-${randomUUID()}`;
    const bulk = `cmp-bulk-${randomUUID()}`;
    await prepare(single);
    await prepare(bulk);
    const now = new Date();
    const oneByOne = await inTransaction(pool, async (tx) => {
      const out: Comparison[] = [];
      for (const { orderId, side, fact } of script(single)) {
        out.push(await join.observe(tx, orderId, side, fact, [rule], now));
      }
      return out;
    });
    const hitsAfterSingle = await hits();
    const inBulk = await inTransaction(pool, (tx) =>
      join.observeMany(tx, script(bulk), [rule], now),
    );

    expect(neutral(inBulk, bulk)).toEqual(neutral(oneByOne, single));
    expect(await rowsOf(bulk)).toEqual(await rowsOf(single));
    expect((await rowsOf(bulk)).map((r) => (r as { outcome: string }).outcome)).toEqual([
      'out-of-order', // fraud: a late, earlier fact after the match
      'duplicate', // fulfilment: the same side said it twice
      'mismatch', // inventory
      'match', // notification: the row existed before the run
      'mismatch', // payment, excused by the rule
    ]);
    expect(hitsAfterSingle).toBe(1);
    expect(await hits()).toBe(2);
  });

  it('refuses a bulk run whose new row another transaction opened meanwhile (the caller takes it fact by fact)', async () => {
    const orderId = `cmp-bulk-race-${randomUUID()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const first = inTransaction(pool, async (tx) => {
      await join.observe(tx, orderId, 'legacy', fact('l-1'), [], new Date());
      opened();
      await held;
    });
    await isOpen;
    const second = inTransaction(pool, (tx) =>
      join.observeMany(tx, [{ orderId, side: 'new', fact: fact('n-1') }], [], new Date()),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await first;
    await expect(second).rejects.toThrow(/opened by a concurrent transaction/);
  });
});
