/**
 * Stock levels, computed rather than stored: available = on hand − reserved (unexpired) −
 * allocated. Anything that could commit stock first locks the stock rows of its skus, in sku
 * order (so two callers never deadlock), and reads the levels after the lock with
 * `clock_timestamp()`: a reservation that one caller saw lapse is lapsed for every caller after it.
 */
import type { Queryable } from '../db';

export interface StockLevel {
  sku: string;
  onHand: number;
  reserved: number;
  allocated: number;
  available: number;
}

/** A reservation's state as callers see it: a lapsed `reserved` one is `expired`. */
export const RESERVATION_STATE = `CASE WHEN r.state = 'reserved' AND r.expires_at <= clock_timestamp()
  THEN 'expired' ELSE r.state END`;

export async function lockStock(tx: Queryable, skus: string[]): Promise<void> {
  await tx.query('SELECT sku FROM warehouse_stock WHERE sku = ANY($1) ORDER BY sku FOR UPDATE', [
    skus,
  ]);
}

/** Levels of these skus; an unknown sku has nothing on hand. */
export async function stockLevels(q: Queryable, skus: string[]): Promise<Map<string, StockLevel>> {
  const { rows } = await q.query<Omit<StockLevel, 'available'>>(
    `SELECT s.sku,
            coalesce(st.on_hand, 0) AS "onHand",
            coalesce(sum(l.quantity) FILTER (
              WHERE r.state = 'reserved' AND r.expires_at > clock_timestamp()), 0)::int AS reserved,
            coalesce(sum(l.quantity) FILTER (WHERE r.state = 'allocated'), 0)::int AS allocated
     FROM unnest($1::text[]) AS s (sku)
     LEFT JOIN warehouse_stock st ON st.sku = s.sku
     LEFT JOIN warehouse_reservation_lines l ON l.sku = s.sku
     LEFT JOIN warehouse_reservations r ON r.id = l.reservation_id
     GROUP BY s.sku, st.on_hand`,
    [skus],
  );
  // Never negative: reserving and lowering stock both refuse to over-commit (not clamped here,
  // so a bug would show).
  return new Map(
    rows.map((row) => [row.sku, { ...row, available: row.onHand - row.reserved - row.allocated }]),
  );
}
