/**
 * The migration scenario's checks judge both systems together: each is shown catching what it
 * exists for (a live payment on both sides, a change told by both or by neither, stock the
 * platform reserved for an order whose stock the monolith took, a read that is not the owner's
 * word, an order that never rested), and passing an order each side handled alone.
 */
import {
  chargedOnceCheck,
  nothingLostCheck,
  type OrderFacts,
  toldOnceCheck,
  truthfulReadsCheck,
} from './migration-checks';
import type { MonolithOrder } from './migration-client';
import type { PlacedOrder } from './migration-world';

const monolithOrder = (overrides: Partial<MonolithOrder> = {}): MonolithOrder => ({
  orderId: 'L-1',
  customerId: 'c-1',
  status: 'DELIVERED',
  stockHeldBy: 'monolith',
  handedOver: [],
  payment: { authId: 'm-auth', heldBy: 'monolith', status: 'CAPTURED' },
  notifications: [
    { kind: 'confirmed', sentBy: 'monolith' },
    { kind: 'shipped', sentBy: 'monolith' },
    { kind: 'delivered', sentBy: 'monolith' },
  ],
  ...overrides,
});

const placed = (monolith: MonolithOrder | undefined, read = monolith?.status): PlacedOrder => ({
  orderId: monolith?.orderId ?? 'P-1',
  customerId: 'c-1',
  placedOn: monolith ? 'monolith' : 'platform',
  phase: 'payment: new 50 %',
  sku: 'SKU-1',
  quantity: 1,
  monolith,
  read: read as PlacedOrder['read'],
  final: true,
});

const facts = (order: PlacedOrder, more: Partial<OrderFacts> = {}): OrderFacts => ({
  order,
  standing: order.read === 'CANCELLED' || order.read === 'REJECTED' ? 'undone' : 'goods-left',
  reservations: [],
  ledger: [],
  authorizations: [],
  platformTold: [],
  shipments: [],
  ...more,
});

const platformPaid = {
  ledger: [
    { kind: 'authorization' as const, reference: 'p-auth', amountMinor: 2_500 },
    { kind: 'capture' as const, reference: 'p-cap', amountMinor: 2_500 },
  ],
  authorizations: [{ authorizationId: 'p-auth', state: 'captured' as const }],
};

describe('the migration scenario’s checks', () => {
  it('pass a monolith order the monolith handled alone, and one the platform paid and told', () => {
    const alone = facts(placed(monolithOrder()));
    const handedOver = facts(
      placed(
        monolithOrder({
          orderId: 'L-2',
          handedOver: ['payment', 'notification'],
          payment: { authId: 'p-auth', heldBy: 'platform', status: 'AUTHORIZED' },
          notifications: [
            { kind: 'confirmed', sentBy: 'platform' },
            { kind: 'shipped', sentBy: 'platform' },
            { kind: 'delivered', sentBy: 'platform' },
          ],
        }),
      ),
      { ...platformPaid, platformTold: ['confirmed', 'shipped', 'delivered'] },
    );
    for (const check of [chargedOnceCheck, toldOnceCheck, truthfulReadsCheck])
      expect(check([alone, handedOver]).findings).toEqual([]);
  });

  it('catch an order paid on both sides', () => {
    const both = facts(placed(monolithOrder()), platformPaid);
    expect(chargedOnceCheck([both]).findings.map((f) => f.text)).toEqual([
      expect.stringContaining('live authorizations'),
    ]);
  });

  it('catch a delivered order whose monolith payment was never captured', () => {
    const uncaptured = facts(
      placed(monolithOrder({ payment: { authId: 'm', heldBy: 'monolith', status: 'AUTHORIZED' } })),
    );
    expect(chargedOnceCheck([uncaptured]).check.passed).toBe(false);
  });

  it('catch a change told by both systems, and a committed order told by neither', () => {
    const byBoth = facts(placed(monolithOrder()), { platformTold: ['confirmed'] });
    expect(toldOnceCheck([byBoth]).findings.map((f) => f.text)).toEqual([
      expect.stringContaining("told 'confirmed' after"),
    ]);
    const byNeither = facts(placed(monolithOrder({ notifications: [] })));
    expect(toldOnceCheck([byNeither]).findings.map((f) => f.text)).toEqual([
      expect.stringContaining('told nothing'),
    ]);
  });

  it('catch a notification the monolith says the platform sent that the platform never sent', () => {
    const claimed = facts(
      placed(
        monolithOrder({
          handedOver: ['notification'],
          notifications: [{ kind: 'confirmed', sentBy: 'platform' }],
        }),
      ),
      { platformTold: [] },
    );
    expect(toldOnceCheck([claimed]).findings.map((f) => f.text)).toEqual(
      expect.arrayContaining([expect.stringContaining('which never sent it')]),
    );
  });

  it('catch a customer read that is not what the owning side did', () => {
    const stale = facts(placed(monolithOrder(), 'SHIPPED'));
    const platformClaim = facts(placed(undefined, 'DELIVERED'), { shipments: [] });
    expect(truthfulReadsCheck([stale, platformClaim]).findings.map((f) => f.text)).toEqual([
      'L-1: the customer reads SHIPPED, the truth is DELIVERED',
      'P-1: the customer reads DELIVERED, the truth is not delivered',
    ]);
  });

  it('catch an order that never rested and a placement the door refused, with their phases', () => {
    const open = { ...placed(monolithOrder({ status: 'ACCEPTED' }), 'CONFIRMED'), final: false };
    const { findings } = nothingLostCheck(
      [open],
      [{ phase: 'intake: 50 %', text: 'placement refused: 502 upstream-unavailable' }],
    );
    expect(findings.map((f) => f.phase)).toEqual(['intake: 50 %', 'payment: new 50 %']);
  });
});
