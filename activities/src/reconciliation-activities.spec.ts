import type { LedgerRecord, WarehouseReservation } from '@order-platform/domain';
import { HttpProblemError } from './http-client';
import {
  createReconciliationActivities,
  type Holdings,
  type ReconciliationDependencies,
  TRIES_PER_ORDER,
} from './reconciliation-activities';
import { activityOf, failureOf } from './testing/activity-environment';

const authorization = (reference: string): LedgerRecord => ({
  kind: 'authorization',
  reference,
  amountMinor: 5_000,
  createdAt: '2026-11-30T00:00:00.000Z',
});

const holdingsOf = (orderId: string): Holdings => ({
  ledger: [authorization(`auth-${orderId}`)],
  reservations: [
    { reservationId: `res-${orderId}`, state: 'reserved', createdAt: '2026-11-30T00:00:00.000Z' },
  ],
});

/**
 * Reconciliation's activities over a ledger and a warehouse that note each ledger read's time;
 * the ledger answers `failWith` for `failFor`, `failTimes` times (for ever by default).
 */
function activitiesOver(options: { failFor?: string; failWith?: number; failTimes?: number } = {}) {
  const calls: { orderId: string; at: number }[] = [];
  let failures = 0;
  const holdings: ReconciliationDependencies['holdings'] = {
    ledgerOf: async (orderId) => {
      calls.push({ orderId, at: Date.now() });
      if (orderId === options.failFor && failures < (options.failTimes ?? Infinity)) {
        failures += 1;
        const status = options.failWith ?? 503;
        throw new HttpProblemError(status, 'about:blank', 'no', undefined, 'GET /ledger');
      }
      return holdingsOf(orderId).ledger;
    },
    reservationsOf: async (orderId): Promise<WarehouseReservation[]> =>
      holdingsOf(orderId).reservations,
  };
  const activities = createReconciliationActivities({
    holdings,
  } as unknown as ReconciliationDependencies);
  return { activities, calls };
}

const inspect = (
  activities: ReturnType<typeof activitiesOver>['activities'],
  orderIds: string[],
  options: { pauseMs?: number; heartbeatDetails?: unknown; heartbeats?: unknown[] } = {},
): Promise<Holdings[]> => {
  const environment = activityOf('reconciliation-r-1');
  if (options.heartbeatDetails !== undefined) {
    // What an earlier attempt of the page heartbeated, as Temporal hands it to the retry.
    Object.assign(environment.context.info, { heartbeatDetails: options.heartbeatDetails });
  }
  environment.on('heartbeat', (details: unknown) => options.heartbeats?.push(details));
  return environment.run(activities.inspectHoldingsOfPage, {
    orderIds,
    pauseMs: options.pauseMs ?? 0,
  }) as Promise<Holdings[]>;
};

const references = (holdings: Holdings[]) => holdings.map((h) => h.ledger[0]!.reference);

describe("reconciliation's page inspection", () => {
  it("reads each order's ledger and reservations in the page's order, at the run's pace", async () => {
    const { activities, calls } = activitiesOver();
    const heartbeats: unknown[] = [];

    const holdings = await inspect(activities, ['o-1', 'o-2', 'o-3'], { pauseMs: 40, heartbeats });

    expect(references(holdings)).toEqual(['auth-o-1', 'auth-o-2', 'auth-o-3']);
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
    // Alive after each order, with what it has read so far.
    expect(heartbeats.map((h) => (h as Holdings[]).length)).toEqual([1, 2, 3]);
  });

  it('tries an order whose downstream fails for a moment again in place, and goes on', async () => {
    const { activities, calls } = activitiesOver({ failFor: 'o-2', failTimes: 1 });
    const holdings = await inspect(activities, ['o-1', 'o-2', 'o-3']);
    expect(references(holdings)).toEqual(['auth-o-1', 'auth-o-2', 'auth-o-3']);
    expect(calls.map((c) => c.orderId)).toEqual(['o-1', 'o-2', 'o-2', 'o-3']);
  });

  it('fails the page as retryable when a downstream stays down, having heartbeated what it read', async () => {
    const { activities, calls } = activitiesOver({ failFor: 'o-2' });
    const heartbeats: unknown[] = [];
    const failure = await failureOf(inspect(activities, ['o-1', 'o-2', 'o-3'], { heartbeats }));
    expect(failure.nonRetryable).toBeFalsy();
    expect(calls.map((c) => c.orderId)).toEqual([
      'o-1',
      ...Array<string>(TRIES_PER_ORDER).fill('o-2'),
    ]);
    expect(references(heartbeats.at(-1) as Holdings[])).toEqual(['auth-o-1']);
  }, 15_000);

  it('a retry of the page goes on from what the last attempt heartbeated', async () => {
    const { activities, calls } = activitiesOver();
    const holdings = await inspect(activities, ['o-1', 'o-2', 'o-3'], {
      heartbeatDetails: [holdingsOf('o-1')],
    });
    expect(references(holdings)).toEqual(['auth-o-1', 'auth-o-2', 'auth-o-3']);
    expect(calls.map((c) => c.orderId)).toEqual(['o-2', 'o-3']);
  });

  it('fails the page for good, at once, when a downstream refuses', async () => {
    const { activities, calls } = activitiesOver({ failFor: 'o-1', failWith: 403 });
    const failure = await failureOf(inspect(activities, ['o-1', 'o-2']));
    expect(failure.nonRetryable).toBe(true);
    expect(calls.map((c) => c.orderId)).toEqual(['o-1']);
  });
});
