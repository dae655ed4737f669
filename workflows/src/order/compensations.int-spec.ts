/**
 * Compensations fail closed (`compensations-fail-closed`), on Temporal's time-skipping server:
 * a downstream that refuses an undo for good is asked once, not forever, and the order says so;
 * one that keeps failing transiently is asked again further and further apart, up to a cap; and
 * a very long undoing continues as new and still ends truthfully, nothing undone twice.
 */
import { COMPENSATION_ROUNDS, compensationRoundDelayMs } from '../retry-policies';
import { FakeOrderWorld } from '../testing/fake-order-world';
import { OrderTestEnv } from '../testing/order-test-env';
import { cancelOrderUpdate } from './messages';

const MINUTE = 60_000;

describe('compensations that fail', () => {
  let t: OrderTestEnv;
  let world: FakeOrderWorld;

  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());
  beforeEach(() => {
    world = new FakeOrderWorld();
  });

  /** An order ready to ship, cancelled by its customer: the saga undoes all three holds. */
  const placeAndCancel = async () => {
    const handle = await t.place();
    await t.reach(handle, 'ReadyForFulfillment');
    const answer = await handle.executeUpdate(cancelOrderUpdate, {
      args: [{ reason: 'ordered twice', requestedBy: 'customer' }],
    });
    expect(answer.stage).toBe('Cancelled');
    return handle;
  };

  /** The first attempt of each round of `name` (attempts within a round are seconds apart). */
  const roundStarts = (name: string): number[] =>
    world.callLog
      .filter((call) => call.name === name)
      .map((call) => call.at)
      .filter((at, i, all) => i === 0 || at - all[i - 1]! > 30_000);

  it('does not retry a void the payment gateway refused (4xx): flagged, an operator task, the rest undone', () =>
    t.run(world, async () => {
      world.rejecting.add('voidAuthorization');
      const handle = await placeAndCancel();
      const done = await handle.result();
      await t.keepHistory(handle, 'compensation-refused-for-good');

      expect(done.stage).toBe('Cancelled');
      expect(world.calls.get('voidAuthorization')).toBe(1);
      expect(done.compensations).toEqual([
        expect.objectContaining({ name: 'cancel-shipment', status: 'done' }),
        expect.objectContaining({
          name: 'void-authorization',
          status: 'failed',
          attempts: 1,
          lastError: expect.stringContaining('422'),
        }),
        expect.objectContaining({ name: 'release-inventory', status: 'done' }),
      ]);
      // What an operator must settle by hand stays visible, and is told once.
      expect(done.needsAttention).toBe('CompensationFailed:void-authorization');
      const failed = world.events.filter(
        (e) => e.orderId === done.orderId && e.eventType === 'CompensationFailed',
      );
      expect(failed).toHaveLength(1);
      expect(failed[0]?.payload).toMatchObject({
        compensation: 'void-authorization',
        failureType: 'DownstreamRejected',
        permanent: true,
      });
      expect(world.readModel.get(done.orderId)?.needsAttention).toBe(
        'CompensationFailed:void-authorization',
      );
      // The stock is back; the authorization is still held, which is what the task is about.
      expect(world.heldBy(done.orderId, await t.now()).reservations).toEqual([]);
      expect([...world.authorizations.values()].map((a) => [a.orderId, a.state])).toEqual([
        [done.orderId, 'authorized'],
      ]);
      expect(world.ledger.map((l) => l.kind)).toEqual(['authorization']);
      expect(world.told(done.orderId)).toEqual(['confirmed', 'cancelled']);
      // No round is waiting: a day later nothing has been asked again.
      await t.skip('1 day');
      expect(world.calls.get('voidAuthorization')).toBe(1);
    }));

  it('backs off between rounds of a transient failure, doubling up to the cap, then succeeds', () =>
    t.run(world, async () => {
      const rounds = 8;
      world.failNext.set('voidAuthorization', 3 * rounds);
      const handle = await placeAndCancel();
      const done = await handle.result();

      expect(done.stage).toBe('Cancelled');
      expect(done.needsAttention).toBe('');
      expect(done.compensations.find((c) => c.name === 'void-authorization')).toMatchObject({
        status: 'done',
        attempts: rounds + 1,
      });
      const starts = roundStarts('voidAuthorization');
      expect(starts).toHaveLength(rounds + 1);
      const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
      // 1, 2, 4, 8, 16 minutes, then the 30-minute cap; each gap also holds a round's retries.
      const expected = [1, 2, 4, 8, 16, 30, 30, 30].map((minutes) => minutes * MINUTE);
      expect(expected).toEqual(gaps.map((_, i) => compensationRoundDelayMs(i + 1)));
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(expected[i]!);
        expect(gap).toBeLessThan(expected[i]! + MINUTE);
      });
      expect(world.ledger.map((l) => l.kind)).toEqual(['authorization', 'void']);
    }));

  it('continues as new during a long undoing, then completes when the downstream recovers', () =>
    t.run(world, async () => {
      const rounds = COMPENSATION_ROUNDS.roundsPerRun + 5;
      world.failNext.set('voidAuthorization', 3 * rounds);
      const handle = await placeAndCancel();
      const firstRunId = (await handle.describe()).runId;
      const done = await handle.result();
      const lastRun = await handle.describe();
      await t.keepHistory(handle, 'compensation-continued-as-new-consolidated');

      // The undoing went on in a new run of the same workflow.
      expect(lastRun.runId).not.toBe(firstRunId);
      const first = await t.env.client.workflow.getHandle(handle.workflowId, firstRunId).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      expect(lastRun.status.name).toBe('COMPLETED');

      // Cancelled truthfully: everything undone once, the customer told once.
      expect(done.stage).toBe('Cancelled');
      expect(done.needsAttention).toBe('');
      expect(done.compensations.map((c) => [c.name, c.status, c.attempts])).toEqual([
        ['cancel-shipment', 'done', 1],
        ['void-authorization', 'done', rounds + 1],
        ['release-inventory', 'done', 1],
      ]);
      expect(world.calls.get('cancelShipment')).toBe(1);
      expect(world.calls.get('releaseInventory')).toBe(1);
      expect(world.ledger.map((l) => l.kind)).toEqual(['authorization', 'void']);
      expect(world.heldBy(done.orderId, await t.now())).toEqual({
        reservations: [],
        authorizations: [],
      });
      expect(world.told(done.orderId)).toEqual(['confirmed', 'cancelled']);

      // The read model followed both runs: versions only rise, and it ends on the last view.
      const versions = world.projections
        .filter((v) => v.orderId === done.orderId)
        .map((v) => v.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
      expect(world.readModel.get(done.orderId)).toMatchObject({
        stage: 'Cancelled',
        version: done.version,
        needsAttention: '',
      });
      // Event ids are derived from the sequence: the new run never repeats one.
      const ids = world.events.filter((e) => e.orderId === done.orderId).map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(
        world.events.filter((e) => e.orderId === done.orderId && e.eventType === 'PaymentVoided'),
      ).toHaveLength(1);
    }));
});
