import type { OrderStatusView } from './order-status-view';
import { DEFAULT_POLICIES, loadPolicies } from './policy';
import {
  effectiveGrace,
  type LedgerRecord,
  RECONCILIATION_GRACE_FLOOR_MS,
  RECONCILIATION_GRACE_MARGIN_MS,
  reconcileOrder,
  reconciliationMinimumGrace,
  type WarehouseReservation,
} from './reconciliation';

const now = '2026-11-23T12:00:00.000Z';
const anHourAgo = '2026-11-23T11:00:00.000Z';
const justNow = '2026-11-23T11:59:59.000Z';

const view = (over: Partial<OrderStatusView>): OrderStatusView =>
  ({
    orderId: 'o-1',
    stage: 'ReadyForFulfillment',
    commitments: {
      payment: {
        authorizationId: 'auth-1',
        state: 'authorized',
        amountMinor: 100,
        currency: 'EUR',
      },
      stock: { reservationId: 'res-1', state: 'allocated' },
    },
    ...over,
  }) as OrderStatusView;

const authorization = (id: string, at = anHourAgo): LedgerRecord => ({
  kind: 'authorization',
  amountMinor: 100,
  reference: id,
  createdAt: at,
});
const entry = (kind: LedgerRecord['kind'], reference: string): LedgerRecord => ({
  kind,
  amountMinor: 100,
  reference,
  createdAt: anHourAgo,
});
const reservation = (id: string, state: WarehouseReservation['state'], at = anHourAgo) => ({
  reservationId: id,
  state,
  createdAt: at,
});

const reconcile = (
  v: OrderStatusView,
  ledger: LedgerRecord[],
  reservations: WarehouseReservation[] = [],
) => reconcileOrder({ view: v, ledger, reservations, now, graceMs: 5 * 60_000 });

describe('reconciliation rules', () => {
  it('finds nothing when the ledger and the warehouse hold exactly what the order believes', () => {
    expect(
      reconcile(view({}), [authorization('auth-1')], [reservation('res-1', 'allocated')]),
    ).toEqual([]);
  });

  it('voids an authorization the order does not use, and releases a reservation it does not hold', () => {
    const findings = reconcile(
      view({}),
      [authorization('auth-1'), authorization('auth-2')],
      [reservation('res-1', 'allocated'), reservation('res-2', 'reserved')],
    );
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'orphan-authorization',
        subject: 'auth-2',
        repair: { type: 'void-authorization', authorizationId: 'auth-2' },
      }),
      expect.objectContaining({
        kind: 'orphan-reservation',
        subject: 'res-2',
        repair: { type: 'release-reservation', reservationId: 'res-2' },
      }),
    ]);
  });

  it('treats every live hold of a cancelled order as an orphan', () => {
    const cancelled = view({ stage: 'Cancelled', commitments: {} });
    expect(
      reconcile(cancelled, [authorization('auth-1')], [reservation('res-1', 'reserved')]).map(
        (f) => f.kind,
      ),
    ).toEqual(['orphan-authorization', 'orphan-reservation']);
    expect(
      reconcile(
        cancelled,
        [authorization('auth-1'), entry('void', 'auth-1')],
        [reservation('res-1', 'released')],
      ),
    ).toEqual([]);
  });

  it('leaves holds younger than the grace window alone: the view may not show them yet', () => {
    expect(
      reconcile(
        view({}),
        [authorization('auth-1'), authorization('auth-2', justNow)],
        [reservation('res-2', 'reserved', justNow)],
      ),
    ).toEqual([]);
  });

  it('reports money taken twice, or taken for an order that ended, as exceptions without a repair', () => {
    const delivered = view({ stage: 'Delivered' });
    const twice = reconcile(delivered, [
      authorization('auth-1'),
      entry('capture', 'cap-1'),
      entry('capture', 'cap-2'),
    ]);
    expect(twice).toEqual([expect.objectContaining({ kind: 'double-charge', subject: 'order' })]);
    expect(twice[0]!.repair).toBeUndefined();
    const cancelledButCharged = reconcile(view({ stage: 'Cancelled', commitments: {} }), [
      authorization('auth-1'),
      entry('capture', 'cap-1'),
    ]);
    expect(cancelledButCharged.map((f) => [f.kind, f.repair])).toEqual([
      ['orphan-authorization', { type: 'void-authorization', authorizationId: 'auth-1' }],
      ['state-drift', undefined],
    ]);
  });

  it('reports an order that counts on a hold the other side no longer has', () => {
    const reserved = view({
      commitments: {
        ...view({}).commitments,
        stock: { reservationId: 'res-1', state: 'reserved', expiresAt: now },
      },
    });
    expect(
      reconcile(
        reserved,
        [authorization('auth-1'), entry('void', 'auth-1')],
        [reservation('res-1', 'expired')],
      ).map((f) => [f.kind, f.subject]),
    ).toEqual([
      ['state-drift', 'auth-1'],
      ['state-drift', 'res-1'],
    ]);
  });

  it('judges each kind of hold after its own grace', () => {
    const ended = view({ stage: 'Cancelled' });
    const tenMinutesAgo = '2026-11-23T11:50:00.000Z';
    const findings = reconcileOrder({
      view: ended,
      ledger: [authorization('auth-1', tenMinutesAgo)],
      reservations: [reservation('res-1', 'reserved', tenMinutesAgo)],
      now,
      graceMs: { authorizationMs: 5 * 60_000, reservationMs: 15 * 60_000 },
    });
    expect(findings.map((f) => f.subject)).toEqual(['auth-1']);
  });
});

describe("reconciliation's minimum grace", () => {
  const RESERVE_BUDGET_MS = 331_000;

  it('outlasts the longest payment SLA of any segment and the reserve call budget, plus a margin', () => {
    const policies = loadPolicies({ vip: { paymentSlaMs: '25m', reservationTtlMs: '1h' } });
    expect(reconciliationMinimumGrace(policies, RESERVE_BUDGET_MS)).toEqual({
      authorizationMs: 25 * 60_000 + RECONCILIATION_GRACE_MARGIN_MS,
      reservationMs: RESERVE_BUDGET_MS + RECONCILIATION_GRACE_MARGIN_MS,
    });
    for (const policy of Object.values(DEFAULT_POLICIES)) {
      const grace = reconciliationMinimumGrace(DEFAULT_POLICIES, RESERVE_BUDGET_MS);
      expect(grace.authorizationMs).toBeGreaterThan(policy.paymentSlaMs);
    }
  });

  it('follows short SLAs down, never below the floor', () => {
    const short = loadPolicies({ standard: { paymentSlaMs: '15s', reservationTtlMs: '45s' } });
    const { authorizationMs } = reconciliationMinimumGrace(
      { standard: short.standard },
      RESERVE_BUDGET_MS,
    );
    expect(authorizationMs).toBe(15_000 + RECONCILIATION_GRACE_MARGIN_MS);
    expect(reconciliationMinimumGrace({ standard: { paymentSlaMs: 1 } }, 0)).toEqual({
      authorizationMs: Math.max(RECONCILIATION_GRACE_FLOOR_MS, 1 + RECONCILIATION_GRACE_MARGIN_MS),
      reservationMs: Math.max(RECONCILIATION_GRACE_FLOOR_MS, RECONCILIATION_GRACE_MARGIN_MS),
    });
  });

  it('lets a request lengthen the grace, never shorten it below the minimum or the floor', () => {
    const minimum = { authorizationMs: 11 * 60_000, reservationMs: 7 * 60_000 };
    expect(effectiveGrace(minimum, 0)).toEqual(minimum);
    expect(effectiveGrace(minimum, -5)).toEqual(minimum);
    expect(effectiveGrace(minimum)).toEqual(minimum);
    expect(effectiveGrace(minimum, 9 * 60_000)).toEqual({
      authorizationMs: 11 * 60_000,
      reservationMs: 9 * 60_000,
    });
    expect(effectiveGrace(minimum, 3_600_000)).toEqual({
      authorizationMs: 3_600_000,
      reservationMs: 3_600_000,
    });
  });

  it('falls back to the floor when the minimum it is handed is missing or malformed', () => {
    const floor = {
      authorizationMs: RECONCILIATION_GRACE_FLOOR_MS,
      reservationMs: RECONCILIATION_GRACE_FLOOR_MS,
    };
    expect(effectiveGrace(undefined, 0)).toEqual(floor);
    expect(effectiveGrace({ authorizationMs: Number.NaN }, Number.NaN)).toEqual(floor);
    expect(
      effectiveGrace({ authorizationMs: -1, reservationMs: Number.POSITIVE_INFINITY }, 0),
    ).toEqual(floor);
  });
});
