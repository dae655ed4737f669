/**
 * Shared admission on the stack's real PostgreSQL, with many connections racing as many
 * gateways would: a customer's bucket never gives more than its burst, the window never admits
 * past its bound, a slot given back frees room, and a sample lands once per period.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AdmissionStore, IN_FLIGHT_GENERATION_SECONDS, pendingOf } from './admission.store';
import { suiteDataSource } from '../testing/suite-database';

describe('shared admission (real PostgreSQL)', () => {
  let db: DataSource;
  let store: AdmissionStore;

  beforeAll(async () => {
    // As many connections as requests race: each statement really runs concurrently.
    db = await suiteDataSource({
      applicationName: 'admission-store-spec',
      maxConnections: 20,
    });
    store = new AdmissionStore(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  const take = (customerId: string, taskQueue: string, bound = 1000, burst = 1000) =>
    store.take({ customerId, taskQueue, burst, refillPerSecond: 1 / 3600, bound });

  it('gives one customer no more than its burst, however many requests race', async () => {
    const queue = `q-${randomUUID()}`;
    await store.ensureWindow(queue);
    const customer = `c-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 60 }, () => take(customer, queue, 1000, 7)),
    );
    expect(results.filter((r) => r.outcome === 'admitted')).toHaveLength(7);
    const refused = results.filter((r) => r.outcome === 'rate-limited');
    expect(refused).toHaveLength(53);
    for (const r of refused) if (r.outcome === 'rate-limited') expect(r.tokens).toBeLessThan(1);
    // Another customer has a bucket of its own.
    expect((await take(`c-${randomUUID()}`, queue, 1000, 7)).outcome).toBe('admitted');
  });

  it('refills at the configured rate, on the database clock', async () => {
    const queue = `q-${randomUUID()}`;
    await store.ensureWindow(queue);
    const customer = `c-${randomUUID()}`;
    const fast = () =>
      store.take({
        customerId: customer,
        taskQueue: queue,
        burst: 1,
        refillPerSecond: 20,
        bound: 99,
      });
    expect((await fast()).outcome).toBe('admitted');
    expect((await fast()).outcome).toBe('rate-limited');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await fast()).outcome).toBe('admitted');
  });

  it('admits no more than the bound across racing takes, and a slot given back frees room', async () => {
    const queue = `q-${randomUUID()}`;
    await store.ensureWindow(queue);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => take(`c-${randomUUID()}`, queue, 12)),
    );
    const admitted = results.filter((r) => r.outcome === 'admitted');
    expect(admitted).toHaveLength(12);
    const full = results.find((r) => r.outcome === 'backlog-full');
    expect(full).toMatchObject({ outcome: 'backlog-full' });
    expect(pendingOf((await store.window(queue))!)).toBe(12);

    // A submission that created nothing gives its slot back; one that did keeps it.
    const [first, second] = admitted;
    if (first?.outcome !== 'admitted' || second?.outcome !== 'admitted')
      throw new Error('unreachable');
    await store.finish(queue, first.generation, false);
    await store.finish(queue, second.generation, true);
    expect((await store.window(queue))!).toMatchObject({ inFlightCurrent: 10, admittedCurrent: 1 });
    expect((await take(`c-${randomUUID()}`, queue, 12)).outcome).toBe('admitted');
    expect((await take(`c-${randomUUID()}`, queue, 12)).outcome).toBe('backlog-full');
  });

  it('lands one sample per period and keeps what was admitted before it one more period', async () => {
    const queue = `q-${randomUUID()}`;
    await store.ensureWindow(queue);
    const slots = [];
    for (let i = 0; i < 3; i++) slots.push(await take(`c-${randomUUID()}`, queue));
    for (const slot of slots.slice(0, 2)) {
      if (slot.outcome !== 'admitted') throw new Error(`not admitted: ${slot.outcome}`);
      await store.finish(queue, slot.generation, true);
    }
    const before = (await store.window(queue))!;
    expect(before).toMatchObject({ admittedCurrent: 2, inFlightCurrent: 1 });
    // Two gateways land a sample from the same reading: one wins.
    const sample = { pending: 5, drainPerSecond: 2, minGapMs: 60_000 };
    const landed = await Promise.all([
      store.landSample(queue, before, sample),
      store.landSample(queue, before, sample),
    ]);
    expect(landed.filter(Boolean)).toHaveLength(1);
    const after = (await store.window(queue))!;
    expect(after).toMatchObject({
      period: before.period + 1,
      sampledPending: 5,
      admittedPrevious: 2,
      admittedCurrent: 0,
      // Still being submitted: counted until it is done, whatever the samples say.
      inFlightCurrent: 1,
      drainPerSecond: 2,
    });
    expect(pendingOf(after)).toBe(8);
    // Within the minimum gap, another sample does not land.
    expect(await store.landSample(queue, after, sample)).toBeUndefined();
  });

  it('forgets slots a dead gateway left in flight after their generation', async () => {
    const queue = `q-${randomUUID()}`;
    await store.ensureWindow(queue);
    const slot = await take(`c-${randomUUID()}`, queue);
    if (slot.outcome !== 'admitted') throw new Error(`not admitted: ${slot.outcome}`);
    const sample = { pending: 0, drainPerSecond: 0, minGapMs: 0 };
    const age = (seconds: number) =>
      db.query(
        `UPDATE admission_window SET in_flight_rotated_at = now() - make_interval(secs => $2)
          WHERE task_queue = $1`,
        [queue, seconds],
      );
    await age(IN_FLIGHT_GENERATION_SECONDS + 1);
    await store.landSample(queue, (await store.window(queue))!, sample);
    expect((await store.window(queue))!).toMatchObject({ inFlightCurrent: 0, inFlightPrevious: 1 });
    // A slot finished one generation later is still taken from the right count.
    await store.finish(queue, slot.generation, false);
    expect((await store.window(queue))!).toMatchObject({ inFlightPrevious: 0 });
    // One that never finishes is gone after the next generation.
    const lost = await take(`c-${randomUUID()}`, queue);
    expect(lost.outcome).toBe('admitted');
    for (let i = 0; i < 2; i++) {
      await age(IN_FLIGHT_GENERATION_SECONDS + 1);
      await store.landSample(queue, (await store.window(queue))!, sample);
    }
    expect(pendingOf((await store.window(queue))!)).toBe(0);
  });

  it('forgets the buckets that have refilled completely', async () => {
    const queue = `q-${randomUUID()}`;
    await store.ensureWindow(queue);
    const customer = `c-${randomUUID()}`;
    await take(customer, queue);
    await db.query(
      `UPDATE customer_rate_limit SET refilled_at = now() - interval '2 hours' WHERE customer_id = $1`,
      [customer],
    );
    expect(await store.forgetFullBuckets(3600)).toBeGreaterThanOrEqual(1);
    const rows: unknown[] = await db.query(
      'SELECT 1 FROM customer_rate_limit WHERE customer_id = $1',
      [customer],
    );
    expect(rows).toHaveLength(0);
  });
});
