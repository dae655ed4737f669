import type { OrderStatusView } from './order-status-view';
import { DEFAULT_POLICIES } from './policy';
import {
  type LedgerRecord,
  RECONCILIATION_MINIMUM_GRACE_MS,
  reconcileOrder,
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

  it('never lets a repair reach inside the longest step an order may take to record a hold', () => {
    for (const policy of Object.values(DEFAULT_POLICIES)) {
      expect(RECONCILIATION_MINIMUM_GRACE_MS).toBeGreaterThan(policy.fraudSlaMs);
      expect(RECONCILIATION_MINIMUM_GRACE_MS).toBeGreaterThan(policy.paymentSlaMs);
    }
  });
});
