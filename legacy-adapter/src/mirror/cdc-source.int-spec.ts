/**
 * The CDC source against the suite's real PostgreSQL: the position it leaves in the replication
 * slot is where the next stream starts (after a crash, a restart or a failover to the standby),
 * so it must be exactly what was handled. A transaction whose commit record lands right at that
 * position, committing while no stream runs, is streamed by the next one: never skipped.
 */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createLogger } from '@order-platform/runtime';
import { dropReplicationSlot, eventually, suiteEnv } from '@order-platform/tools';
import { CdcSource } from './cdc-source';
import type { LegacyMapping, RowChange } from './legacy-mapping-port';
import type { MirroredRecord, MirrorPublisher } from './mirror-publisher';
import { lsnBytes } from './slot-watch';

const silent = createLogger('cdc-source-int-spec', 'error', () => undefined);
const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
const schema = `cdc_spec_${suffix}`;
const slot = `cdc_spec_${suffix}`;

/** Every row of the mirrored table becomes a record; which rows came is all this spec reads. */
const mapping: LegacyMapping = {
  name: 'cdc-spec',
  tables: [`${schema}.facts`],
  fromTransaction: async (changes) => changes.map((source) => ({ source, mapped: { events: [] } })),
};

describe('the CDC source on a real replication slot', () => {
  const url = suiteEnv('LEGACY_DATABASE_URL');
  const pool = new Pool({ connectionString: url, max: 2 });
  const admin = new Client({ connectionString: url });
  const mirrored: string[] = [];
  const publisher = {
    publish: async (records: readonly MirroredRecord[]) => {
      for (const record of records) mirrored.push(String((record.raw as RowChange).row.id));
      return { events: records.length, deadLettered: 0, oversized: 0, sends: 1 };
    },
  } as unknown as MirrorPublisher;
  const source = new CdcSource(
    pool,
    publisher,
    {
      connectionString: url,
      mapping,
      publication: slot,
      slot,
      chunkRows: 100,
      chunkBytes: 1_000_000,
    },
    silent,
  );

  const lsnNow = async (client: Client): Promise<string> =>
    (await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn'))
      .rows[0]!.lsn;
  const confirmed = async (): Promise<string> =>
    (
      await admin.query<{ lsn: string }>(
        'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      )
    ).rows[0]!.lsn;
  const mirroredOnce = (id: string) =>
    eventually(`${id} mirrored`, async () => (mirrored.includes(id) ? true : undefined));

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.facts (id text PRIMARY KEY)`);
    await admin.query(`CREATE TABLE ${schema}.unmirrored (id text PRIMARY KEY)`);
  });

  afterAll(async () => {
    await source.stop();
    await dropReplicationSlot(slot).catch(() => undefined);
    await admin.query(`DROP PUBLICATION IF EXISTS ${slot}`);
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    await pool.end();
  });

  /**
   * Opens a transaction that writes a mirrored row, lets `handledUpTo` commit something after
   * it that the source handles and acknowledges, ends the stream, then commits the open
   * transaction: its commit record lands right where the slot was left, unless something else on
   * the server wrote WAL in between (a checkpoint, the background writer's snapshot record), which
   * proves nothing: that round is run again.
   */
  async function commitAtTheEdge(
    name: string,
    handledUpTo: (round: number) => Promise<void>,
  ): Promise<void> {
    await source.start();
    let landedAtTheEdge = false;
    for (let round = 1; round <= 5 && !landedAtTheEdge; round += 1) {
      const id = `${name}-open-${round}`;
      const open = new Client({ connectionString: url });
      await open.connect();
      try {
        await open.query('BEGIN');
        await open.query(`INSERT INTO ${schema}.facts VALUES ($1)`, [id]);
        await handledUpTo(round);
        const handled = await lsnNow(admin);
        await eventually('the source acknowledged what it handled', async () =>
          lsnBytes(await confirmed()) >= lsnBytes(handled) ? true : undefined,
        );
        await source.stop();
        // The open transaction's commit is the next WAL record, written here: the slot may not
        // claim more than was written.
        const commitAt = await lsnNow(open);
        landedAtTheEdge = commitAt === handled;
        expect(lsnBytes(await confirmed())).toBeLessThanOrEqual(lsnBytes(commitAt));
        await open.query('COMMIT');
      } finally {
        await open.end();
      }
      await source.start();
      await mirroredOnce(id);
    }
    expect(landedAtTheEdge).toBe(true);
    await source.stop();
  }

  it('after acknowledging a mirrored commit, a commit right behind it comes with the next stream', async () => {
    await commitAtTheEdge('behind-a-commit', async (round) => {
      const id = `behind-a-commit-${round}`;
      await admin.query(`INSERT INTO ${schema}.facts VALUES ($1)`, [id]);
      await mirroredOnce(id);
    });
  }, 120_000);

  it('idle, after acknowledging what the server skipped, a commit right behind it comes with the next stream', async () => {
    // A commit of a table not mirrored: the idle source is told of it by a keepalive.
    await commitAtTheEdge('behind-a-keepalive', async (round) => {
      await admin.query(`INSERT INTO ${schema}.unmirrored VALUES ($1)`, [`x-${round}`]);
    });
  }, 120_000);
});
