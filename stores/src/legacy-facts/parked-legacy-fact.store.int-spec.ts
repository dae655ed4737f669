/**
 * Parked monolith facts on the stack's real PostgreSQL: the ones past the bound are taken (once,
 * oldest first), the fresh ones stay, and their inbox entries can be forgotten so a replay
 * applies.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { legacyEvent } from '@order-platform/domain';
import { forgetInInbox, recordInInbox } from '../inbox/inbox.store';
import { parkLegacyFact, takeStaleParkedLegacyFacts } from './parked-legacy-fact.store';
import { suiteDatabaseUrl } from '../testing/suite-database';

describe('parked legacy facts past their bound (real PostgreSQL)', () => {
  let pool: Pool;

  beforeAll(() => {
    pool = new Pool({ connectionString: suiteDatabaseUrl(), max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
  });

  it('takes the stale ones once, leaves the fresh ones, and forgets them in the inbox', async () => {
    const run = randomUUID().slice(0, 8);
    const fact = (orderId: string) =>
      legacyEvent(orderId, 'LegacyOrderAccepted', new Date().toISOString(), {});
    const stale = fact(`L-stale-${run}`);
    const fresh = fact(`L-fresh-${run}`);
    const client = await pool.connect();
    try {
      for (const f of [stale, fresh]) {
        await parkLegacyFact(client, f);
        await recordInInbox(client, { consumer: `bridge-${run}`, eventId: f.eventId, topic: 't' });
      }
      await client.query(
        `UPDATE legacy_fact_parked SET parked_at = now() - interval '2 hours' WHERE event_id = $1`,
        [stale.eventId],
      );
      const taken = await takeStaleParkedLegacyFacts(client, 3_600_000, 10_000);
      const ours = taken.filter((t) => t.fact.orderId.endsWith(run));
      expect(ours.map((t) => t.fact)).toEqual([stale]);
      expect(ours[0]!.parkedAt.getTime()).toBeLessThan(Date.now() - 3_600_000);
      const again = await takeStaleParkedLegacyFacts(client, 3_600_000, 10_000);
      expect(again.filter((t) => t.fact.orderId.endsWith(run))).toEqual([]);

      await forgetInInbox(client, `bridge-${run}`, [stale.eventId]);
      const { rows } = await client.query<{ event_id: string }>(
        'SELECT event_id FROM inbox_event WHERE consumer = $1',
        [`bridge-${run}`],
      );
      expect(rows.map((r) => r.event_id)).toEqual([fresh.eventId]);
      const parked = await client.query('SELECT 1 FROM legacy_fact_parked WHERE event_id = $1', [
        fresh.eventId,
      ]);
      expect(parked.rowCount).toBe(1);
    } finally {
      client.release();
    }
  });
});
