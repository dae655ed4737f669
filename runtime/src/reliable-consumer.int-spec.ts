/**
 * The reliable consumer on the stack's real broker and database: exactly-once effects over
 * at-least-once delivery (duplicates, a stop and a restart mid-stream), dead letters that do not
 * block their partition, retries, lag, and pausing under overload.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { createIdempotentProducer, createKafka, type IdempotentProducer } from './kafka';
import { createLogger } from './logger';
import {
  startReliableConsumer,
  type ReliableConsumer,
  type ReliableConsumerOptions,
} from './reliable-consumer';

interface TestEvent {
  id: string;
  key: string;
  seq: number;
  fail?: 'always' | number;
}

const brokers = (): string[] => (process.env.KAFKA_BROKERS ?? '').split(',');
// A new group's first join retries while the coordinator starts, logged as errors by kafkajs.
const silent = createLogger('reliable-consumer-int-spec', 'error', () => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const found = registry.getSingleMetric(`order_platform_consumer_${name}`);
  const { values } = await found!.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('the reliable consumer (real Kafka and PostgreSQL)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: IdempotentProducer;
  let pool: Pool;
  const running: ReliableConsumer[] = [];

  beforeAll(async () => {
    kafka = createKafka({ clientId: 'reliable-consumer-test', brokers: brokers(), logger: silent });
    admin = kafka.admin();
    producer = createIdempotentProducer(kafka);
    pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
    await Promise.all([admin.connect(), producer.connect()]);
    await pool.query(`CREATE TABLE IF NOT EXISTS reliable_consumer_test (
      id         bigserial PRIMARY KEY,
      consumer   text   NOT NULL,
      event_id   text   NOT NULL,
      key        text   NOT NULL,
      seq        int    NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
  });

  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await Promise.all([admin?.disconnect(), producer?.disconnect(), pool?.end()]);
  });

  /** A fresh topic and its DLQ, 3 partitions each, and a consumer name nobody else uses. */
  async function fixture() {
    const topic = `test.reliable.${randomUUID()}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [topic, `${topic}.dlq`].map((t) => ({ topic: t, numPartitions: 3 })),
    });
    return { topic, name: `reliable-test-${randomUUID()}` };
  }

  async function start(
    fixtureOf: { topic: string; name: string },
    options: Partial<ReliableConsumerOptions<TestEvent>> & {
      slowMs?: number;
      onApplied?: (e: TestEvent) => void;
    } = {},
  ) {
    const { slowMs, onApplied, ...overrides } = options;
    const registry = new Registry();
    const attempts = new Map<string, number>();
    const consumer = await startReliableConsumer<TestEvent>({
      name: fixtureOf.name,
      kafka,
      pool,
      topics: [fixtureOf.topic],
      dlqTopic: (t) => `${t}.dlq`,
      decode: (message: KafkaMessage) => {
        try {
          const event = JSON.parse(String(message.value)) as TestEvent;
          return typeof event.id === 'string' ? event : { poison: 'no id' };
        } catch {
          return { poison: 'not JSON' };
        }
      },
      eventId: (e) => e.id,
      handle: async (e, tx) => {
        const attempt = (attempts.get(e.id) ?? 0) + 1;
        attempts.set(e.id, attempt);
        if (e.fail === 'always' || attempt <= (e.fail ?? 0)) {
          throw new Error(`cannot apply ${e.id} (attempt ${attempt})`);
        }
        await tx.query(
          'INSERT INTO reliable_consumer_test (consumer, event_id, key, seq) VALUES ($1, $2, $3, $4)',
          [fixtureOf.name, e.id, e.key, e.seq],
        );
        if (slowMs) await sleep(slowMs);
        onApplied?.(e);
      },
      retry: { attempts: 3, baseMs: 10, maxMs: 50 },
      maxInFlight: 3,
      registry,
      logger: silent,
      ...overrides,
    });
    running.push(consumer);
    return { consumer, registry, attempts };
  }

  const event = (key: string, seq: number, extra: Partial<TestEvent> = {}): TestEvent => ({
    id: `${key}/${seq}`,
    key,
    seq,
    ...extra,
  });

  /** Sends one at a time, so each message's partition and offset are known. */
  async function send(topic: string, values: { key: string; value: string }[]) {
    const placed: { partition: number; offset: string }[] = [];
    for (const { key, value } of values) {
      const [meta] = await producer.send({
        topic,
        messages: [{ key, value, headers: { 'x-test': 'original' } }],
      });
      placed.push({ partition: meta!.partition, offset: meta!.baseOffset! });
    }
    return placed;
  }

  const sendEvents = (topic: string, events: TestEvent[]) =>
    producer.send({
      topic,
      messages: events.map((e) => ({ key: e.key, value: JSON.stringify(e) })),
    });

  async function applied(name: string) {
    const { rows } = await pool.query<{ event_id: string; key: string; seq: number }>(
      'SELECT event_id, key, seq FROM reliable_consumer_test WHERE consumer = $1 ORDER BY id',
      [name],
    );
    return rows;
  }

  const seqsByKey = (rows: { key: string; seq: number }[]) =>
    rows.reduce<Record<string, number[]>>(
      (byKey, { key, seq }) => ({ ...byKey, [key]: [...(byKey[key] ?? []), seq] }),
      {},
    );

  async function readAll(topic: string, count: number) {
    // A short long-poll: disconnect waits for the fetch in flight (5 s by default).
    const reader = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const messages: KafkaMessage[] = [];
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
    try {
      return await waitFor(
        `messages on ${topic}`,
        async () => messages,
        (m) => m.length >= count,
      );
    } finally {
      await reader.disconnect();
    }
  }

  it('applies every event exactly once through duplicates and a stop and restart mid-stream', async () => {
    const f = await fixture();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const events = keys.flatMap((key) => [1, 2, 3, 4, 5, 6, 7, 8].map((seq) => event(key, seq)));
    await sendEvents(f.topic, events);
    await sendEvents(f.topic, events); // a publisher retried everything: at-least-once

    const first = await start(f, { slowMs: 40 });
    await waitFor(
      'some applied',
      () => applied(f.name),
      (rows) => rows.length >= 10,
    );
    await first.consumer.stop();
    const atStop = (await applied(f.name)).length;
    expect(atStop).toBeLessThan(events.length);

    const second = await start(f, { slowMs: 5 });
    const processed = async () =>
      (await metric(first.registry, 'processed_total')) +
      (await metric(second.registry, 'processed_total'));
    await waitFor('all processed', processed, (n) => n >= 2 * events.length);
    await sleep(300);

    const rows = await applied(f.name);
    expect(rows).toHaveLength(events.length);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(events.length);
    expect(seqsByKey(rows)).toEqual(
      Object.fromEntries(keys.map((k) => [k, [1, 2, 3, 4, 5, 6, 7, 8]])),
    );
    const outcome = async (o: string) =>
      (await metric(first.registry, 'processed_total', { outcome: o })) +
      (await metric(second.registry, 'processed_total', { outcome: o }));
    expect(await outcome('applied')).toBe(events.length);
    expect(await outcome('duplicate')).toBeGreaterThanOrEqual(events.length);
    expect(await outcome('dlq')).toBe(0);
  });

  it('in batches: applies every event exactly once through duplicates, poison, a failing event and a restart, in order per key', async () => {
    const f = await fixture();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const events = keys.flatMap((key) => [1, 2, 3, 4, 5, 6, 7, 8].map((seq) => event(key, seq)));
    await sendEvents(f.topic, events);
    await send(f.topic, [
      { key: 'g', value: JSON.stringify(event('g', 1)) },
      { key: 'g', value: 'not json {' },
      { key: 'g', value: JSON.stringify(event('g', 2, { fail: 'always' })) },
      { key: 'g', value: JSON.stringify(event('g', 3)) },
    ]);
    await sendEvents(f.topic, events); // a publisher retried everything: at-least-once

    const first = await start(f, { slowMs: 40, batchSize: 16 });
    await waitFor(
      'some applied',
      () => applied(f.name),
      (rows) => rows.length >= 10,
    );
    await first.consumer.stop();
    const atStop = (await applied(f.name)).length;
    expect(atStop).toBeLessThan(events.length);

    const second = await start(f, { batchSize: 16 });
    const total = 2 * events.length + 4;
    const outcome = async (o?: string) =>
      (await metric(first.registry, 'processed_total', o ? { outcome: o } : {})) +
      (await metric(second.registry, 'processed_total', o ? { outcome: o } : {}));
    await waitFor('all processed', outcome, (n) => n >= total);
    await sleep(300);

    const rows = await applied(f.name);
    expect(rows).toHaveLength(events.length + 2);
    expect(seqsByKey(rows)).toEqual({
      ...Object.fromEntries(keys.map((k) => [k, [1, 2, 3, 4, 5, 6, 7, 8]])),
      g: [1, 3],
    });
    expect(await outcome('applied')).toBe(events.length + 2);
    expect(await outcome('dlq')).toBe(2);
    const dead = await readAll(`${f.topic}.dlq`, 2);
    expect(dead.map((m) => String(m.headers?.['x-dlq-class'])).sort()).toEqual([
      'poison',
      'unclassified',
    ]);
  });

  it('dead-letters poison and a failing message with the reason and origin, and applies what follows, in order', async () => {
    const f = await fixture();
    const ok = (key: string, seq: number) => ({ key, value: JSON.stringify(event(key, seq)) });
    const placed = await send(f.topic, [
      ok('x', 1),
      { key: 'x', value: 'not json {' },
      ok('x', 3),
      { key: 'x', value: JSON.stringify(event('x', 4, { fail: 'always' })) },
      ok('y', 1),
      ok('x', 5),
      ok('y', 2),
      ok('x', 6),
    ]);
    const { registry } = await start(f);

    await waitFor(
      'all done',
      () => metric(registry, 'processed_total'),
      (n) => n >= 8,
    );
    expect(seqsByKey(await applied(f.name))).toEqual({ x: [1, 3, 5, 6], y: [1, 2] });
    expect(await metric(registry, 'processed_total', { outcome: 'dlq' })).toBe(2);
    expect(await metric(registry, 'retries_total')).toBe(2);

    const dead = await readAll(`${f.topic}.dlq`, 2);
    const headers = (m: KafkaMessage) =>
      Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const byOffset = dead.sort(
      (a, b) =>
        Number(headers(a)['x-dlq-source-offset']) - Number(headers(b)['x-dlq-source-offset']),
    );
    const origin = (i: number) => ({
      'x-test': 'original',
      'x-dlq-source-topic': f.topic,
      'x-dlq-source-partition': String(placed[i]!.partition),
      'x-dlq-source-offset': placed[i]!.offset,
      'x-dlq-consumer': f.name,
    });
    expect(byOffset.map((m) => [String(m.key), String(m.value), headers(m)])).toEqual([
      [
        'x',
        'not json {',
        {
          ...origin(1),
          'x-dlq-reason': 'poison: not JSON',
          'x-dlq-attempts': '0',
          'x-dlq-class': 'poison',
          'x-dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
      [
        'x',
        JSON.stringify(event('x', 4, { fail: 'always' })),
        {
          ...origin(3),
          'x-dlq-reason': 'handler failed: cannot apply x/4 (attempt 3)',
          'x-dlq-attempts': '3',
          'x-dlq-class': 'unclassified',
          'x-dlq-event-id': 'x/4',
          'x-dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
    ]);
  });

  it('applies once a message whose handler fails twice, then succeeds', async () => {
    const f = await fixture();
    await sendEvents(f.topic, [event('z', 1, { fail: 2 }), event('z', 2)]);
    const { registry, attempts } = await start(f);

    await waitFor(
      'both done',
      () => metric(registry, 'processed_total'),
      (n) => n >= 2,
    );
    expect(seqsByKey(await applied(f.name))).toEqual({ z: [1, 2] });
    expect(attempts.get('z/1')).toBe(3);
    expect(await metric(registry, 'retries_total')).toBe(2);
    expect(await metric(registry, 'processed_total', { outcome: 'applied' })).toBe(2);
    const dlqOffsets = await admin.fetchTopicOffsets(`${f.topic}.dlq`);
    expect(dlqOffsets.map((p) => p.high)).toEqual(['0', '0', '0']);
  });

  it('does not count as applied a transaction a swallowed SQL error aborted (PostgreSQL commits it as ROLLBACK)', async () => {
    const f = await fixture();
    await sendEvents(f.topic, [event('s', 1)]);
    const { registry } = await start(f, {
      handle: async (_e, tx) => {
        await tx.query('SELECT 1 / 0').catch(() => undefined);
      },
    });

    await waitFor(
      'done',
      () => metric(registry, 'processed_total'),
      (n) => n >= 1,
    );
    expect(await metric(registry, 'processed_total', { outcome: 'dlq' })).toBe(1);
    const [dead] = await readAll(`${f.topic}.dlq`, 1);
    expect(String(dead!.headers!['x-dlq-reason'])).toMatch(/transaction was aborted/);
    const { rows } = await pool.query('SELECT 1 FROM inbox_event WHERE consumer = $1', [f.name]);
    expect(rows).toEqual([]);
  });

  it('reports lag and the age of the oldest unprocessed message while behind, 0 when caught up', async () => {
    const f = await fixture();
    const events = Array.from({ length: 30 }, (_, i) => event('lag', i + 1));
    const [sent] = await sendEvents(f.topic, events);
    const { registry } = await start(f, { slowMs: 20 });
    const labels = { topic: f.topic, partition: String(sent!.partition) };

    let maxLag = 0;
    let maxAge = 0;
    await waitFor(
      'caught up',
      async () => {
        const lag = await metric(registry, 'lag', labels);
        maxLag = Math.max(maxLag, lag);
        maxAge = Math.max(maxAge, await metric(registry, 'oldest_unprocessed_age_seconds', labels));
        return { applied: (await applied(f.name)).length, lag };
      },
      ({ applied: n, lag }) => n === events.length && lag === 0,
    );
    expect(maxLag).toBeGreaterThan(10);
    expect(maxAge).toBeGreaterThan(0);
    await sleep(100);
    expect(await metric(registry, 'lag', labels)).toBe(0);
    expect(await metric(registry, 'oldest_unprocessed_age_seconds', labels)).toBe(0);
  });

  it('pauses while overloaded and resumes where it stopped, without fetching the batch again', async () => {
    const f = await fixture();
    const events = Array.from({ length: 10 }, (_, i) => event('p', i + 1));
    await sendEvents(f.topic, events);
    let overloadedUntil = 0;
    const appliedAt = new Map<number, number>();
    const { registry } = await start(f, {
      isOverloaded: () => Date.now() < overloadedUntil,
      onApplied: (e) => {
        appliedAt.set(e.seq, Date.now());
        if (e.seq === 3) overloadedUntil = Date.now() + 1_000;
      },
    });

    await waitFor(
      'all applied',
      () => applied(f.name),
      (rows) => rows.length === events.length,
    );
    expect(seqsByKey(await applied(f.name))).toEqual({ p: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(appliedAt.get(4)! - appliedAt.get(3)!).toBeGreaterThanOrEqual(900);
    expect(await metric(registry, 'processed_total', { outcome: 'duplicate' })).toBe(0);
  });
});
