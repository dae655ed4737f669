/**
 * The comparator's sweep on the stack's real PostgreSQL: a monolith decision alone is declared
 * missing in new only once the platform has had the grace to decide, counted from when the
 * follower (the signal bridge) handed its fact over, not from its arrival; a fact the follower
 * never takes is declared at the bound.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { legacyEventId } from '@order-platform/domain';
import { recordInInbox } from '../inbox/inbox.store';
import { StageComparisonStore } from './stage-comparison.store';
import { suiteDatabaseUrl } from '../testing/suite-database';

const GRACE_MS = 2_000;
const BOUND_MS = 60_000;

describe('declaring a monolith decision missing in new (real PostgreSQL)', () => {
  let pool: Pool;
  const store = new StageComparisonStore();

  beforeAll(() => {
    pool = new Pool({ connectionString: suiteDatabaseUrl(), max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
  });

  it('waits the grace from the platform’s hand-over of the fact, and at most the bound', async () => {
    const run = randomUUID().slice(0, 8);
    const inbox = `bridge-${run}`;
    const ago = (ms: number) => new Date(Date.now() - ms);
    /** A monolith notification alone, opened `openedMsAgo`; handed over `handedMsAgo` (or not). */
    const alone = async (name: string, openedMsAgo: number, handedMsAgo?: number) => {
      const orderId = `L-sweep-${name}-${run}`;
      const eventId = legacyEventId(orderId, 'LegacyCustomerNotified', 'confirmed');
      const client = await pool.connect();
      try {
        await store.open(
          client,
          { orderId, stage: 'notification', subject: 'confirmed' },
          'legacy',
          { decision: { kind: 'confirmed', notified: true }, sequence: 14, eventId },
          ago(openedMsAgo),
        );
        if (handedMsAgo !== undefined) {
          await recordInInbox(client, { consumer: inbox, eventId, topic: 'legacy' });
          await client.query(
            'UPDATE inbox_event SET processed_at = $3 WHERE consumer = $1 AND event_id = $2',
            [inbox, eventId, ago(handedMsAgo)],
          );
        }
      } finally {
        client.release();
      }
      return orderId;
    };
    const outcomes = async () => {
      const { rows } = await pool.query<{ order_id: string; outcome: string }>(
        `SELECT order_id, outcome FROM stage_comparison WHERE order_id LIKE $1`,
        [`%-${run}`],
      );
      return Object.fromEntries(rows.map((r) => [r.order_id.split('-')[2], r.outcome]));
    };

    // Every one arrived 10 s ago, five graces: only the platform's hand-over tells them apart.
    await alone('behind', 10_000); // the bridge has not handed it over yet
    await alone('just', 10_000, 500); // handed over half a second ago
    await alone('decided', 10_000, 5_000); // handed over 5 s ago: the platform had its grace
    await alone('lost', 2 * BOUND_MS); // never handed over, older than the bound

    const declared = await store.sweep(pool, GRACE_MS, { inbox, boundMs: BOUND_MS });
    expect(
      declared
        .filter((row) => row.orderId.endsWith(run))
        .map((row) => [row.orderId.split('-')[2], row.outcome])
        .sort(),
    ).toEqual([
      ['decided', 'missing-in-new'],
      ['lost', 'missing-in-new'],
    ]);
    expect(await outcomes()).toEqual({
      behind: 'pending',
      just: 'pending',
      decided: 'missing-in-new',
      lost: 'missing-in-new',
    });

    // Without a follower the grace runs from the arrival, as where no bridge runs beside it.
    await store.sweep(pool, GRACE_MS);
    expect(await outcomes()).toEqual({
      behind: 'missing-in-new',
      just: 'missing-in-new',
      decided: 'missing-in-new',
      lost: 'missing-in-new',
    });
  });
});
