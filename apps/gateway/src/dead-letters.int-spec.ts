/**
 * The dead-letter operator API on the real platform: operators only; list by source topic and
 * reason, inspect, replay (the original message back on its source topic with
 * `x-dlq-replay-of`, audited); every refusal an RFC 7807 problem.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { TOPICS } from '@order-platform/domain';
import { type DeadLetterEntry, indexDeadLetter } from '@order-platform/stores';
import { AppsUnderTest, gatewayCall, readTopic, suiteEnv } from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

describe('dead letters through the operator API', () => {
  const apps = new AppsUnderTest('dead-letters-api');
  const run = randomUUID().slice(0, 8);
  // A topic no consumer of this repository reads: the replay lands there and stays.
  const topic = TOPICS.orderMismatches;
  let gateway: string;
  let db: Pool;
  let operator: string;

  /** Dead letter #n of this run, as a consumer of `topic` gave it up. */
  const letter = (n: number, overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry => ({
    dedupeKey: `${run}-${n}`,
    dlqTopic: `${topic}.dlq`,
    dlqPartition: 0,
    dlqOffset: String(n),
    sourceTopic: topic,
    sourcePartition: 0,
    sourceOffset: String(n),
    consumer: 'some-consumer',
    class: 'bad',
    reason: `bad: refused ${run} #${n}`,
    eventId: `e-${run}-${n}`,
    key: Buffer.from(`key-${run}-${n}`),
    value: Buffer.from(JSON.stringify({ n, run })),
    headers: { trace: 't' },
    failedAt: new Date(),
    ...overrides,
  });

  beforeAll(async () => {
    await apps.downstream();
    gateway = await apps.start('gateway');
    db = new Pool({ connectionString: suiteEnv('DATABASE_URL'), max: 2 });
    operator = await tokenFor('operator', 'ops-dlq');
    for (const n of [1, 2]) await indexDeadLetter(db, letter(n));
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    await apps.stopAll();
  }, 60_000);

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    gatewayCall(gateway, method, path, { token, body });

  it('is for operators only', async () => {
    const customer = await tokenFor('customer', 'c-dlq');
    expect((await call('GET', '/v1/ops/dead-letters')).status).toBe(401);
    const forbidden = await call('GET', '/v1/ops/dead-letters', customer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('lists by source topic and reason, a page at a time, and shows one', async () => {
    const query = `?topic=${topic}&reason=${run}&limit=1`;
    const first = await call('GET', `/v1/ops/dead-letters${query}`, operator);
    expect(first.status).toBe(200);
    const page = first.body as { deadLetters: { id: string; key: string }[]; nextBefore: string };
    expect(page.deadLetters.map((d) => d.key)).toEqual([`key-${run}-2`]);
    const second = await call(
      'GET',
      `/v1/ops/dead-letters${query}&before=${page.nextBefore}`,
      operator,
    );
    expect(second.body).toEqual({
      deadLetters: [expect.objectContaining({ key: `key-${run}-1`, status: 'parked' })],
      nextBefore: null,
    });
    const shown = await call('GET', `/v1/ops/dead-letters/${page.deadLetters[0]!.id}`, operator);
    expect(shown.body).toEqual(
      expect.objectContaining({
        value: JSON.stringify({ n: 2, run }),
        headers: { trace: 't' },
        reason: `bad: refused ${run} #2`,
      }),
    );
    const missing = await call('GET', '/v1/ops/dead-letters/999999999999', operator);
    expect({ status: missing.status, type: (missing.body as { type: string }).type }).toEqual({
      status: 404,
      type: expect.stringContaining('not-found'),
    });
  });

  it('refuses a replay without a reason, or with both ids and all, as problems', async () => {
    for (const body of [{ ids: ['1'] }, { ids: ['1'], all: {}, reason: 'x' }, { reason: 'x' }]) {
      const refused = await call('POST', '/v1/ops/dead-letters/replay', operator, body);
      expect({ status: refused.status, type: refused.headers.get('content-type') }).toEqual({
        status: 400,
        type: expect.stringMatching(/application\/problem\+json/),
      });
    }
  });

  it('replays to the source topic with x-dlq-replay-of, recorded and audited', async () => {
    const { body } = await call(
      'GET',
      `/v1/ops/dead-letters?topic=${topic}&reason=${run}`,
      operator,
    );
    const ids = (body as { deadLetters: { id: string }[] }).deadLetters.map((d) => d.id);
    const replayed = await call('POST', '/v1/ops/dead-letters/replay', operator, {
      all: { topic, reasonContains: run },
      reason: 'refusal lifted',
    });
    expect(replayed).toEqual(
      expect.objectContaining({
        status: 200,
        // In id order, numerically: '9' before '10' when earlier suites left dead letters.
        body: {
          replayed: [...ids].sort((a, b) => Number(a) - Number(b)),
          notFound: [],
          notReplayable: [],
        },
      }),
    );
    const records = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic,
      accept: (r) => (r.key ?? '').startsWith(`key-${run}`),
      until: (accepted) => accepted.length >= 2,
    });
    expect(records.map((r) => r.headers['x-dlq-replay-of']).sort()).toEqual([...ids].sort());
    const shown = await call('GET', `/v1/ops/dead-letters/${ids[0]}`, operator);
    expect(shown.body).toEqual(
      expect.objectContaining({
        status: 'replayed',
        replays: [expect.objectContaining({ by: 'ops-dlq', reason: 'refusal lifted' })],
      }),
    );
    const { rows } = await db.query(
      `SELECT operator_id FROM operator_audit WHERE action = 'dead-letter-replay' AND subject = ANY($1)`,
      [ids.map((id) => `dead-letter:${id}`)],
    );
    expect(rows).toEqual([{ operator_id: 'ops-dlq' }, { operator_id: 'ops-dlq' }]);
  });

  it('answers at once that a dead letter whose source topic is gone cannot be replayed, and replays the others', async () => {
    // Kafka creates no topic on demand here: a send to a deleted topic would be retried for
    // seconds and fail the whole replay, good letters included.
    const gone = `${run}-deleted-topic`;
    await indexDeadLetter(
      db,
      letter(3, { sourceTopic: gone, dlqTopic: `${gone}.dlq`, reason: `bad: gone ${run} #3` }),
    );
    await indexDeadLetter(db, letter(4, { reason: `bad: gone ${run} #4` }));
    const { body } = await call('GET', `/v1/ops/dead-letters?reason=gone ${run}`, operator);
    const idOf = (n: number) =>
      (body as { deadLetters: { id: string; key: string }[] }).deadLetters.find(
        (d) => d.key === `key-${run}-${n}`,
      )!.id;
    const replayed = await call('POST', '/v1/ops/dead-letters/replay', operator, {
      all: { reasonContains: `gone ${run}` },
      reason: 'the consumer is fixed',
    });
    expect(replayed).toEqual(
      expect.objectContaining({
        status: 200,
        body: { replayed: [idOf(4)], notFound: [], notReplayable: [idOf(3)] },
      }),
    );
    const kept = await call('GET', `/v1/ops/dead-letters/${idOf(3)}`, operator);
    expect((kept.body as { status: string }).status).toBe('parked');
  });
});
