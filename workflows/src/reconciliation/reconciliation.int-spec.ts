/**
 * Reconciliation on Temporal's time-skipping server, over an in-memory read model, ledger and
 * warehouse: a page at a time, a safe difference repaired, the rest queued for an operator.
 */
import type {
  Finding,
  LedgerRecord,
  OrderStatusView,
  WarehouseReservation,
} from '@order-platform/domain';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FakeOrderWorld } from '../testing/fake-order-world';
import { OrderTestEnv } from '../testing/order-test-env';
import { reconciliation } from './reconciliation.workflow';

const LONG_AGO = '2026-01-01T00:00:00.000Z';

/** Only what reconciliation reads of a view. */
const view = (orderId: string, stage: OrderStatusView['stage']) =>
  ({ orderId, stage, placedAt: LONG_AGO, commitments: {} }) as unknown as OrderStatusView;

const record = (
  kind: LedgerRecord['kind'],
  reference: string,
  amountMinor = 5_000,
): LedgerRecord => ({ kind, reference, amountMinor, createdAt: LONG_AGO });

/** Adds the page activity as the worker has it: each order's holdings in turn, in order. */
function paged<H, A extends { inspectHoldings: (input: { orderId: string }) => Promise<H> }>(
  activities: A,
) {
  return {
    ...activities,
    inspectHoldingsOfPage: async ({ orderIds }: { orderIds: string[] }) => {
      const holdings: H[] = [];
      for (const orderId of orderIds) holdings.push(await activities.inspectHoldings({ orderId }));
      return holdings;
    },
  };
}

describe('reconciliation', () => {
  let t: OrderTestEnv;

  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());

  it('repairs an orphan authorization, queues a double charge, and leaves a clean order alone', async () => {
    const views = [view('o-1', 'Cancelled'), view('o-2', 'Delivered'), view('o-3', 'Delivered')];
    const ledgers: Record<string, LedgerRecord[]> = {
      'o-1': [record('authorization', 'auth-1')],
      'o-2': [
        record('authorization', 'auth-2'),
        record('capture', 'cap-2'),
        record('capture', 'cap-3'),
      ],
      'o-3': [record('authorization', 'auth-4'), record('capture', 'cap-4')],
    };
    const repaired: Finding[] = [];
    const queued: Finding[] = [];
    const pages: number[] = [];
    const activities = paged({
      minimumGrace: async () => ({ authorizationMs: 11 * 60_000, reservationMs: 7 * 60_000 }),
      ordersToReconcile: async (page: { after?: { orderId: string }; limit: number }) => {
        const start = page.after
          ? views.findIndex((v) => v.orderId === page.after!.orderId) + 1
          : 0;
        pages.push(start);
        return views.slice(start, start + page.limit);
      },
      inspectHoldings: async ({ orderId }: { orderId: string }) => ({
        ledger: ledgers[orderId] ?? [],
        reservations: [] as WarehouseReservation[],
      }),
      repair: async ({ finding }: { finding: Finding }) => void repaired.push(finding),
      recordException: async ({ finding }: { finding: Finding }) => {
        queued.push(finding);
        return { queued: true };
      },
    });

    await t.run(
      new FakeOrderWorld(),
      async () => {
        const handle = await t.start(reconciliation, {
          workflowId: 'reconciliation-test',
          args: [{ from: LONG_AGO, pageSize: 2 }],
        });
        const summary = await handle.result();

        await t.keepHistory(handle, 'reconciliation-by-page');
        expect(summary).toMatchObject({ inspected: 3, repaired: 1, queued: 1 });
        expect(pages).toEqual([0, 2]);
        // One inspection per page, keeping the pace inside it: no activity and timer per order.
        const events = (await handle.fetchHistory()).events ?? [];
        const scheduled = events.map(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name,
        );
        expect(scheduled.filter((name) => name === 'inspectHoldingsOfPage')).toHaveLength(2);
        expect(scheduled).not.toContain('inspectHoldings');
        expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(0);
        expect(repaired.map((f) => [f.orderId, f.kind])).toEqual([['o-1', 'orphan-authorization']]);
        expect(queued.map((f) => [f.orderId, f.kind])).toEqual([['o-2', 'double-charge']]);
      },
      activities,
    );
  });

  it("never repairs inside the worker's minimum grace for that kind of hold, whatever grace a run started directly asks for", async () => {
    const now = await t.env.currentTimeMs();
    const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const reservation = (id: string, minutes: number): WarehouseReservation => ({
      reservationId: id,
      state: 'reserved',
      createdAt: minutesAgo(minutes),
    });
    const views = [view('o-young', 'Cancelled'), view('o-old', 'Cancelled')];
    const ledgers: Record<string, LedgerRecord[]> = {
      // Inside the authorization minimum (the payment SLA): the order may still record it.
      'o-young': [{ ...record('authorization', 'auth-young'), createdAt: minutesAgo(10) }],
      'o-old': [{ ...record('authorization', 'auth-old'), createdAt: minutesAgo(15) }],
    };
    const reservations: Record<string, WarehouseReservation[]> = {
      // 15 minutes: past the authorization minimum, still inside the reservation minimum.
      'o-old': [reservation('res-inside', 15), reservation('res-old', 40)],
    };
    const repaired: Finding[] = [];
    const activities = paged({
      minimumGrace: async () => ({ authorizationMs: 12 * 60_000, reservationMs: 30 * 60_000 }),
      ordersToReconcile: async (page: { after?: { orderId: string } }) => (page.after ? [] : views),
      inspectHoldings: async ({ orderId }: { orderId: string }) => ({
        ledger: ledgers[orderId] ?? [],
        reservations: reservations[orderId] ?? [],
      }),
      repair: async ({ finding }: { finding: Finding }) => void repaired.push(finding),
      recordException: async () => ({ queued: false }),
    });
    await t.run(
      new FakeOrderWorld(),
      async () => {
        const handle = await t.start(reconciliation, {
          workflowId: 'reconciliation-zero-grace',
          args: [{ from: LONG_AGO, graceMs: 0 }],
        });
        const summary = await handle.result();
        expect(summary).toMatchObject({
          inspected: 2,
          repaired: 2,
          grace: { authorizationMs: 12 * 60_000, reservationMs: 30 * 60_000 },
        });
        expect(repaired.map((f) => f.subject)).toEqual(['auth-old', 'res-old']);
      },
      activities,
    );
  });

  it('keeps the floor when the minimum it is handed is malformed, and a longer request wins', async () => {
    // Ages, not times: the server's clock skips ahead between and within runs, so each hold's
    // age is taken from when the workflow asked (the activity's schedule time, workflow time).
    const ages: Record<string, [string, number]> = {
      'o-1': ['auth-fresh', 30_000],
      'o-2': ['auth-hour', 3_600_000],
    };
    const ledgerOf = (orderId: string): LedgerRecord[] => {
      const held = ages[orderId];
      if (!held) return [];
      const asked = Context.current().info.currentAttemptScheduledTimestampMs;
      return [
        { ...record('authorization', held[0]), createdAt: new Date(asked - held[1]).toISOString() },
      ];
    };
    const repaired: string[] = [];
    const activities = paged({
      minimumGrace: async () => ({ authorizationMs: Number.NaN }) as never,
      ordersToReconcile: async (page: { after?: { orderId: string } }) =>
        page.after ? [] : [view('o-1', 'Cancelled'), view('o-2', 'Cancelled')],
      inspectHoldings: async ({ orderId }: { orderId: string }) => ({
        ledger: ledgerOf(orderId),
        reservations: [] as WarehouseReservation[],
      }),
      repair: async ({ finding }: { finding: Finding }) => void repaired.push(finding.subject),
      recordException: async () => ({ queued: false }),
    });
    await t.run(
      new FakeOrderWorld(),
      async () => {
        const floor = await t.start(reconciliation, {
          workflowId: 'reconciliation-malformed-minimum',
          args: [{ from: LONG_AGO, graceMs: 0 }],
        });
        expect((await floor.result()).grace).toEqual({
          authorizationMs: 60_000,
          reservationMs: 60_000,
        });
        expect(repaired).toEqual(['auth-hour']);
        repaired.length = 0;
        const longer = await t.start(reconciliation, {
          workflowId: 'reconciliation-longer-request',
          args: [{ from: LONG_AGO, graceMs: 2 * 3_600_000 }],
        });
        expect((await longer.result()).repaired).toBe(0);
        expect(repaired).toEqual([]);
      },
      activities,
    );
  });

  it('queues a repair the downstream refuses for good for an operator, and goes on', async () => {
    const views = [view('o-refused', 'Cancelled'), view('o-fine', 'Cancelled')];
    const ledgers: Record<string, LedgerRecord[]> = {
      'o-refused': [record('authorization', 'auth-refused')],
      'o-fine': [record('authorization', 'auth-fine')],
    };
    const repaired: string[] = [];
    const queued: Finding[] = [];
    const activities = paged({
      minimumGrace: async () => ({ authorizationMs: 11 * 60_000, reservationMs: 7 * 60_000 }),
      ordersToReconcile: async (page: { after?: { orderId: string } }) => (page.after ? [] : views),
      inspectHoldings: async ({ orderId }: { orderId: string }) => ({
        ledger: ledgers[orderId] ?? [],
        reservations: [] as WarehouseReservation[],
      }),
      repair: async ({ finding }: { finding: Finding }) => {
        if (finding.orderId === 'o-refused') {
          throw ApplicationFailure.create({
            message: 'POST /void: 422 urn:simulators:void-refused',
            type: 'DownstreamRejected',
            nonRetryable: true,
          });
        }
        repaired.push(finding.orderId);
      },
      recordException: async ({ finding }: { finding: Finding }) => {
        queued.push(finding);
        return { queued: true };
      },
    });
    await t.run(
      new FakeOrderWorld(),
      async () => {
        const handle = await t.start(reconciliation, {
          workflowId: 'reconciliation-refused-repair',
          args: [{ from: LONG_AGO }],
        });
        expect(await handle.result()).toMatchObject({ inspected: 2, repaired: 1, queued: 1 });
        expect(repaired).toEqual(['o-fine']);
        expect(queued.map((f) => [f.orderId, f.kind])).toEqual([
          ['o-refused', 'orphan-authorization'],
        ]);
      },
      activities,
    );
  });
});
