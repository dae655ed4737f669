/**
 * Stock conserved: judged over the warehouse's reservations of an order and the stock levels
 * of a sku. An order holds exactly one live reservation once committed (confirmed, ready to
 * ship, or shipped: it is allocated then), none while a person reviews it (the review releases
 * it) or after it was undone, and never more than one while in flight. Units are neither created
 * nor destroyed: what is on hand is what was set, and what the warehouse says is committed is
 * what the orders hold.
 */
import { holdsStock, type ReservationFact, type Standing, type Violation } from './facts';
import { holdsLapsedUnused } from './holds';

export interface StockFacts {
  orderId: string;
  standing: Standing;
  reservations: readonly ReservationFact[];
}

const EXPECTED_LIVE: Readonly<Record<Standing, { min: number; max: number }>> = {
  'in-flight': { min: 0, max: 1 },
  'manual-review': { min: 0, max: 0 },
  committed: { min: 1, max: 1 },
  'goods-left': { min: 1, max: 1 },
  undone: { min: 0, max: 0 },
};

export function stockHeldAsPromised({ orderId, standing, reservations }: StockFacts): Violation[] {
  const live = reservations.filter(holdsStock).length;
  const { min, max } = EXPECTED_LIVE[standing];
  if (live >= min && live <= max) return [];
  return [
    {
      rule: 'stock-held-wrongly',
      orderId,
      reason: `${live} live reservations while ${standing}`,
    },
  ];
}

/** Units the order's live reservations hold (what the warehouse must count as committed for it). */
export const unitsHeld = (reservations: readonly ReservationFact[]): number =>
  reservations
    .filter(holdsStock)
    .flatMap((r) => r.lines ?? [])
    .reduce((sum, line) => sum + line.quantity, 0);

export interface StockLevelFacts {
  /** What the level is of: `SKU-1`, `monolith SKU-1`. */
  label: string;
  /** On hand as it should be: as set, less what the owner of the stock took out for orders. */
  expectedOnHand: number;
  onHand: number | undefined;
  /** What the warehouse counts as reserved or allocated, and what the orders' reservations hold. */
  committed?: { counted: number; heldByOrders: number };
}

export function stockConserved(level: StockLevelFacts): Violation[] {
  const { label, expectedOnHand, onHand, committed } = level;
  const conserved =
    onHand === expectedOnHand && (!committed || committed.counted === committed.heldByOrders);
  if (conserved) return [];
  const counted = committed
    ? `, committed ${committed.counted}, orders hold ${committed.heldByOrders}`
    : '';
  return [
    {
      rule: 'stock-not-conserved',
      orderId: label,
      reason: `on hand ${onHand ?? 'unknown'}, expected ${expectedOnHand}${counted}`,
    },
  ];
}

/** An order the platform only follows (the monolith holds its stock) has no platform reservation. */
export function nothingReservedForFollowedOrder(
  orderId: string,
  reservations: readonly ReservationFact[],
): Violation[] {
  return reservations.length > 0
    ? [
        {
          rule: 'stock-reserved-for-followed-order',
          orderId,
          reason: 'the platform reserved stock for a monolith order',
        },
      ]
    : [];
}

/** Every reservation that expired was replaced by a newer one or belonged to an ended order. */
export function reservationsLapsedUnused(
  orderId: string,
  reservations: readonly ReservationFact[],
  standing: Standing,
): Violation[] {
  return holdsLapsedUnused(orderId, 'reservation', reservationLapses(reservations), standing);
}

export const reservationLapses = (reservations: readonly ReservationFact[]) =>
  reservations.map((r) => ({ id: r.reservationId, lapsed: r.state === 'expired' }));
