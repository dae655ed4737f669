import type { LedgerRecord, WarehouseReservation } from '@order-platform/domain';
import { HttpProblemError } from './http-client';
import {
  createReconciliationActivities,
  type ReconciliationDependencies,
} from './reconciliation-activities';
import { activityOf, failureOf } from './testing/activity-environment';

const authorization = (reference: string): LedgerRecord => ({
  kind: 'authorization',
  reference,
  amountMinor: 5_000,
  createdAt: '2026-11-30T00:00:00.000Z',
});

/** Reconciliation's activities over a ledger and a warehouse that note each call's time. */
function activitiesOver(options: { failFor?: string; status?: number } = {}) {
  const calls: { orderId: string; at: number }[] = [];
  const holdings: ReconciliationDependencies['holdings'] = {
    ledgerOf: async (orderId) => {
      calls.push({ orderId, at: Date.now() });
      if (orderId === options.failFor) {
        throw new HttpProblemError(
          options.status ?? 503,
          'about:blank',
          'the ledger is down',
          undefined,
          'GET /ledger',
        );
      }
      return [authorization(`auth-${orderId}`)];
    },
    reservationsOf: async (orderId): Promise<WarehouseReservation[]> => [
      { reservationId: `res-${orderId}`, state: 'reserved', createdAt: '2026-11-30T00:00:00.000Z' },
    ],
  };
  const activities = createReconciliationActivities({
    holdings,
  } as unknown as ReconciliationDependencies);
  return { activities, calls };
}

describe("reconciliation's page inspection", () => {
  it("reads each order's ledger and reservations in the page's order, at the run's pace", async () => {
    const { activities, calls } = activitiesOver();
    const environment = activityOf('reconciliation-r-1');
    const heartbeats: unknown[] = [];
    environment.on('heartbeat', (details: unknown) => heartbeats.push(details));

    const holdings = (await environment.run(activities.inspectHoldingsOfPage, {
      orderIds: ['o-1', 'o-2', 'o-3'],
      pauseMs: 40,
    })) as Awaited<ReturnType<typeof activities.inspectHoldingsOfPage>>;

    expect(holdings.map((h) => h.ledger[0]!.reference)).toEqual([
      'auth-o-1',
      'auth-o-2',
      'auth-o-3',
    ]);
    expect(holdings.map((h) => h.reservations[0]!.reservationId)).toEqual([
      'res-o-1',
      'res-o-2',
      'res-o-3',
    ]);
    expect(calls.map((c) => c.orderId)).toEqual(['o-1', 'o-2', 'o-3']);
    // Paced: never faster than the run asked (timers may fire a millisecond early).
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(39);
    }
    // Alive after each order, so a slow page is not taken for a dead worker.
    expect(heartbeats).toHaveLength(3);
  });

  it('fails the page as retryable when a downstream is down, and for good when it refuses', async () => {
    const down = activitiesOver({ failFor: 'o-2', status: 503 });
    const transient = await failureOf(
      activityOf('reconciliation-r-1').run(down.activities.inspectHoldingsOfPage, {
        orderIds: ['o-1', 'o-2', 'o-3'],
        pauseMs: 0,
      }),
    );
    expect(transient.nonRetryable).toBeFalsy();
    // It stops at the failing order: a retry reads the page again from its start.
    expect(down.calls.map((c) => c.orderId)).toEqual(['o-1', 'o-2']);

    const refused = activitiesOver({ failFor: 'o-1', status: 403 });
    const forGood = await failureOf(
      activityOf('reconciliation-r-1').run(refused.activities.inspectHoldingsOfPage, {
        orderIds: ['o-1'],
        pauseMs: 0,
      }),
    );
    expect(forGood.nonRetryable).toBe(true);
  });
});
