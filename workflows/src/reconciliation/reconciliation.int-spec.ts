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
    const activities = {
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
    };

    await t.run(
      new FakeOrderWorld(),
      async () => {
        const handle = await t.start(reconciliation, {
          workflowId: 'reconciliation-test',
          args: [{ from: LONG_AGO, pageSize: 2 }],
        });
        const summary = await handle.result();

        await t.keepHistory(handle, 'reconciliation-repaired-and-queued');
        expect(summary).toMatchObject({ inspected: 3, repaired: 1, queued: 1 });
        expect(pages).toEqual([0, 2]);
        expect(repaired.map((f) => [f.orderId, f.kind])).toEqual([['o-1', 'orphan-authorization']]);
        expect(queued.map((f) => [f.orderId, f.kind])).toEqual([['o-2', 'double-charge']]);
      },
      activities,
    );
  });

  it('never repairs inside the minimum grace, whatever grace a run started directly asks for', async () => {
    const now = await t.env.currentTimeMs();
    const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const views = [view('o-young', 'Cancelled'), view('o-old', 'Cancelled')];
    const ledgers: Record<string, LedgerRecord[]> = {
      // Ten minutes old: the order may still be about to record it.
      'o-young': [{ ...record('authorization', 'auth-young'), createdAt: minutesAgo(10) }],
      'o-old': [{ ...record('authorization', 'auth-old'), createdAt: minutesAgo(60) }],
    };
    const repaired: Finding[] = [];
    const activities = {
      ordersToReconcile: async (page: { after?: { orderId: string } }) => (page.after ? [] : views),
      inspectHoldings: async ({ orderId }: { orderId: string }) => ({
        ledger: ledgers[orderId] ?? [],
        reservations: [] as WarehouseReservation[],
      }),
      repair: async ({ finding }: { finding: Finding }) => void repaired.push(finding),
      recordException: async () => ({ queued: false }),
    };
    await t.run(
      new FakeOrderWorld(),
      async () => {
        const handle = await t.start(reconciliation, {
          workflowId: 'reconciliation-zero-grace',
          args: [{ from: LONG_AGO, graceMs: 0 }],
        });
        const summary = await handle.result();
        expect(summary).toMatchObject({ inspected: 2, repaired: 1 });
        expect(repaired.map((f) => f.orderId)).toEqual(['o-old']);
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
    const activities = {
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
    };
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
