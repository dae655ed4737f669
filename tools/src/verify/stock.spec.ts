import { type ReservationFact } from './facts';
import {
  nothingReservedForFollowedOrder,
  reservationsLapsedUnused,
  stockConserved,
  stockHeldAsPromised,
  unitsHeld,
} from './stock';

const reservation = (
  reservationId: string,
  state: ReservationFact['state'],
  quantity = 1,
): ReservationFact => ({ reservationId, state, lines: [{ sku: 'SKU-1', quantity }] });
const rules = (violations: { rule: string }[]) => violations.map((v) => v.rule);

describe('stock held as the order stands', () => {
  it('passes one allocated reservation for a committed or shipped order', () => {
    const reservations = [reservation('res-1', 'expired'), reservation('res-2', 'allocated')];
    expect(stockHeldAsPromised({ orderId: 'o-1', standing: 'committed', reservations })).toEqual(
      [],
    );
    expect(stockHeldAsPromised({ orderId: 'o-1', standing: 'goods-left', reservations })).toEqual(
      [],
    );
  });

  it('passes nothing held while in review or after the order was undone', () => {
    const reservations = [reservation('res-1', 'released')];
    for (const standing of ['manual-review', 'undone'] as const)
      expect(stockHeldAsPromised({ orderId: 'o-1', standing, reservations })).toEqual([]);
  });

  it('catches a committed order holding nothing', () => {
    expect(
      stockHeldAsPromised({
        orderId: 'o-1',
        standing: 'committed',
        reservations: [reservation('res-1', 'expired')],
      }),
    ).toEqual([
      { rule: 'stock-held-wrongly', orderId: 'o-1', reason: '0 live reservations while committed' },
    ]);
  });

  it('catches stock still held after the order was undone, or held twice in flight', () => {
    expect(
      rules(
        stockHeldAsPromised({
          orderId: 'o-1',
          standing: 'undone',
          reservations: [reservation('res-1', 'reserved')],
        }),
      ),
    ).toEqual(['stock-held-wrongly']);
    expect(
      rules(
        stockHeldAsPromised({
          orderId: 'o-1',
          standing: 'in-flight',
          reservations: [reservation('res-1', 'reserved'), reservation('res-2', 'reserved')],
        }),
      ),
    ).toEqual(['stock-held-wrongly']);
  });

  it('counts the units of live reservations only', () => {
    expect(unitsHeld([reservation('a', 'allocated', 2), reservation('b', 'released', 5)])).toBe(2);
  });
});

describe('stock conserved', () => {
  it('passes on hand as set and the warehouse committing what the orders hold', () => {
    expect(
      stockConserved({
        label: 'SKU-1',
        expectedOnHand: 100,
        onHand: 100,
        committed: { counted: 7, heldByOrders: 7 },
      }),
    ).toEqual([]);
    expect(stockConserved({ label: 'monolith SKU-1', expectedOnHand: 93, onHand: 93 })).toEqual([]);
  });

  it('catches units created or destroyed', () => {
    expect(stockConserved({ label: 'SKU-1', expectedOnHand: 100, onHand: 99 })).toEqual([
      { rule: 'stock-not-conserved', orderId: 'SKU-1', reason: 'on hand 99, expected 100' },
    ]);
  });

  it('catches units committed that no order holds', () => {
    expect(
      rules(
        stockConserved({
          label: 'SKU-1',
          expectedOnHand: 100,
          onHand: 100,
          committed: { counted: 8, heldByOrders: 7 },
        }),
      ),
    ).toEqual(['stock-not-conserved']);
  });

  it('catches the platform reserving stock for an order it only follows', () => {
    expect(nothingReservedForFollowedOrder('L-1', [])).toEqual([]);
    expect(rules(nothingReservedForFollowedOrder('L-1', [reservation('r', 'reserved')]))).toEqual([
      'stock-reserved-for-followed-order',
    ]);
  });
});

describe('reservations that lapsed', () => {
  it('pass when renewed or when the order ended', () => {
    const renewed = [reservation('res-1', 'expired'), reservation('res-2', 'allocated')];
    expect(reservationsLapsedUnused('o-1', renewed, 'committed')).toEqual([]);
    expect(reservationsLapsedUnused('o-1', [reservation('r', 'expired')], 'undone')).toEqual([]);
  });

  it('are caught when the order still counted on the last one', () => {
    expect(
      rules(reservationsLapsedUnused('o-1', [reservation('res-1', 'expired')], 'in-flight')),
    ).toEqual(['hold-lapsed-unused']);
  });
});
