/**
 * The dead-letter index on the stack's real PostgreSQL: a dead letter sent twice is one row;
 * listing filters by source topic and reason and pages newest first; a replay publishes the
 * original message with `x-dlq-replay-of`, records its history and the audit together, and a
 * failed publish replays nothing; a replay that fails again links the new row to the old.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { OperatorAuditRecord } from '../audit/operator-audit.entity';
import { platformDataSource } from '../connection';
import {
  type DeadLetterEntry,
  DeadLetterStore,
  indexDeadLetter,
  type ReplayMessage,
} from './dead-letter.store';
import { suiteDatabaseUrl } from '../testing/suite-database';

describe('the dead-letter index (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let pool: Pool;
  let store: DeadLetterStore;
  const run = randomUUID().slice(0, 8);
  const topic = `t-${run}`;

  const entry = (n: number, overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry => ({
    dedupeKey: `${run}-${n}`,
    dlqTopic: `${topic}.dlq`,
    dlqPartition: 0,
    dlqOffset: String(n),
    sourceTopic: topic,
    sourcePartition: n % 3,
    sourceOffset: String(100 + n),
    consumer: 'legacy-signal-bridge',
    class: 'bad',
    reason: n % 2 === 0 ? 'bad: 23514 check refused it' : 'poison: no event id',
    attempts: 1,
    eventId: `e-${run}-${n}`,
    key: Buffer.from(`order-${n}`),
    value: Buffer.from(JSON.stringify({ n })),
    headers: { 'x-dlq-reason': 'old reason', trace: 'abc\u0000def' },
    failedAt: new Date(),
    ...overrides,
  });

  beforeAll(async () => {
    const url = suiteDatabaseUrl();
    dataSource = await platformDataSource(url, {
      applicationName: 'dead-letter-spec',
    }).initialize();
    pool = new Pool({ connectionString: url, max: 2 });
    store = new DeadLetterStore(dataSource);
    for (const n of [1, 2, 3, 4, 5]) await indexDeadLetter(pool, entry(n));
  });

  afterAll(async () => {
    await pool?.end();
    await dataSource?.destroy();
  });

  it('indexes a dead letter sent twice once, NUL bytes in headers and all', async () => {
    expect(await indexDeadLetter(pool, entry(1))).toBe(false);
    const { deadLetters } = await store.list({ sourceTopic: topic }, { limit: 50 });
    expect(deadLetters).toHaveLength(5);
    const shown = await store.show(deadLetters[0]!.id);
    expect(shown).toEqual(
      expect.objectContaining({
        key: 'order-5',
        value: '{"n":5}',
        valueBytes: 7,
        status: 'parked',
        headers: { 'x-dlq-reason': 'old reason', trace: 'abc\uFFFDdef' },
      }),
    );
    expect(await store.show('999999999999')).toBeUndefined();
    expect(await store.show('not-an-id')).toBeUndefined();
  });

  it('filters by source topic and by text in the reason, wildcards literal, a page at a time', async () => {
    const page1 = await store.list({ sourceTopic: topic }, { limit: 2 });
    const page2 = await store.list({ sourceTopic: topic }, { limit: 2, before: page1.nextBefore! });
    const page3 = await store.list({ sourceTopic: topic }, { limit: 2, before: page2.nextBefore! });
    expect([page1, page2, page3].map((p) => p.deadLetters.map((d) => d.key))).toEqual([
      ['order-5', 'order-4'],
      ['order-3', 'order-2'],
      ['order-1'],
    ]);
    expect(page3.nextBefore).toBeNull();
    const checks = await store.list({ sourceTopic: topic, reasonContains: 'CHECK' }, { limit: 50 });
    expect(checks.deadLetters.map((d) => d.key)).toEqual(['order-4', 'order-2']);
    const wildcard = await store.list({ sourceTopic: topic, reasonContains: '%' }, { limit: 50 });
    expect(wildcard.deadLetters).toEqual([]);
  });

  it('replays the original message with x-dlq-replay-of, history and audit in one go', async () => {
    const [two] = (await store.list({ sourceTopic: topic, reasonContains: '23514' }, { limit: 1 }))
      .deadLetters;
    const published: ReplayMessage[] = [];
    const outcome = await store.replay(
      { ids: [two!.id, '999999999999'] },
      { operatorId: 'ops-1', reason: 'check fixed' },
      async (messages) => void published.push(...messages),
    );
    expect(outcome).toEqual({ replayed: [two!.id], notFound: ['999999999999'], notReplayable: [] });
    expect(published).toEqual([
      {
        deadLetterId: two!.id,
        topic,
        key: Buffer.from('order-4'),
        value: Buffer.from('{"n":4}'),
        headers: { trace: 'abc\uFFFDdef', 'x-dlq-replay-of': two!.id },
      },
    ]);
    const shown = await store.show(two!.id);
    expect(shown?.status).toBe('replayed');
    expect(shown?.replays).toEqual([
      { event: 'replayed', at: expect.any(String), by: 'ops-1', reason: 'check fixed' },
    ]);
    const audited = await dataSource
      .getRepository(OperatorAuditRecord)
      .findBy({ subject: `dead-letter:${two!.id}`, action: 'dead-letter-replay' });
    expect(audited.map((a) => a.operatorId)).toEqual(['ops-1']);

    // It fails again: a new row links back, the old one says so.
    await indexDeadLetter(
      pool,
      entry(6, { reason: 'bad: still refused', replayOf: two!.id, dedupeKey: `${run}-6` }),
    );
    const again = await store.show(two!.id);
    expect(again?.status).toBe('failed-again');
    expect(again?.replays.map((r) => r.event)).toEqual(['replayed', 'failed-again']);
    expect(again?.replays[1]).toEqual(
      expect.objectContaining({ reason: 'bad: still refused', deadLetterId: expect.any(String) }),
    );
    const newer = await store.show(again!.replays[1]!.deadLetterId!);
    expect(newer?.replayOf).toBe(two!.id);
  });

  it('replays nothing when the publish fails, and --all takes parked rows of the filter only', async () => {
    const before = await store.list({ sourceTopic: topic, status: 'parked' }, { limit: 50 });
    await expect(
      store.replay({ all: { sourceTopic: topic } }, { operatorId: 'ops-2', reason: 'x' }, () =>
        Promise.reject(new Error('KafkaJSConnectionError')),
      ),
    ).rejects.toThrow('KafkaJSConnectionError');
    const after = await store.list({ sourceTopic: topic, status: 'parked' }, { limit: 50 });
    expect(after.deadLetters.map((d) => d.id)).toEqual(before.deadLetters.map((d) => d.id));

    const published: string[] = [];
    const outcome = await store.replay(
      { all: { sourceTopic: topic, reasonContains: 'poison' } },
      { operatorId: 'ops-2', reason: 'producer fixed' },
      async (messages) => void published.push(...messages.map((m) => m.deadLetterId)),
    );
    expect(outcome.replayed.sort()).toEqual(published.sort());
    expect(outcome.replayed).toHaveLength(3); // orders 1, 3, 5: the poison ones, all parked
  });

  it('does not replay a dead letter that has no source topic (the mirror’s)', async () => {
    const reason = `unmappable row ${run}`;
    await indexDeadLetter(
      pool,
      entry(7, { sourceTopic: undefined, reason, dedupeKey: `${run}-7` }),
    );
    const [mirror] = (await store.list({ reasonContains: reason }, { limit: 1 })).deadLetters;
    const outcome = await store.replay(
      { ids: [mirror!.id] },
      { operatorId: 'ops-3', reason: 'y' },
      async () => {
        throw new Error('nothing should be published');
      },
    );
    expect(outcome).toEqual({ replayed: [], notFound: [], notReplayable: [mirror!.id] });
  });

  it('leaves a dead letter whose source topic Kafka no longer has where it is, by id or in a round of all', async () => {
    const reason = `topic gone ${run}`;
    await indexDeadLetter(pool, entry(8, { reason, dedupeKey: `${run}-8` }));
    const [gone] = (await store.list({ reasonContains: reason }, { limit: 1 })).deadLetters;
    const nothingSent = async () => {
      throw new Error('nothing should be published');
    };
    const otherTopics = new Set(['some-other-topic']);
    const by = { operatorId: 'ops-4', reason: 'z' };
    expect(await store.replay({ ids: [gone!.id] }, by, nothingSent, otherTopics)).toEqual({
      replayed: [],
      notFound: [],
      notReplayable: [gone!.id],
    });
    const round = await store.replay(
      { all: { reasonContains: reason } },
      by,
      nothingSent,
      otherTopics,
    );
    expect(round).toEqual({ replayed: [], notFound: [], notReplayable: [gone!.id] });
    expect((await store.show(gone!.id))?.status).toBe('parked');
  });
});
