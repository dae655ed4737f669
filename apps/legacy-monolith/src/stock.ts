/**
 * Stock on hand per sku. Taking and putting back lock the skus' rows first, in sku order, so two
 * orders sharing skus wait for each other instead of deadlocking or overselling; an order takes
 * all its lines or none (out of stock throws, and the caller's transaction rolls back).
 */
import type { Db, Queryable } from './db';
import { Input, ok, problem, route, type Route } from './http';

export interface StockLine {
  sku: string;
  quantity: number;
}

/** The largest value of a PostgreSQL integer column (on_hand, quantity). */
export const MAX_INT = 2_147_483_647;

export function stockRoutes(db: Db): Route[] {
  return [
    route('GET', '/stock/:sku', async ({ params }) => {
      const { rows } = await db.query(
        'SELECT sku, on_hand AS "onHand" FROM monolith.stock WHERE sku = $1',
        [params.sku],
      );
      if (!rows[0]) throw problem('not-found', `no stock record for sku ${params.sku}`);
      return ok(rows[0]);
    }),
    route('PUT', '/stock/:sku', async ({ params, body }) => {
      const onHand = Input.of(body).integer('onHand', 0, MAX_INT);
      await db.query(
        `INSERT INTO monolith.stock (sku, on_hand) VALUES ($1, $2)
         ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand`,
        [params.sku, onHand],
      );
      return ok({ sku: params.sku, onHand });
    }),
  ];
}

/** The same sku on two lines is one line with the summed quantity. */
export function mergeLines(lines: StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

async function lockStock(tx: Queryable, lines: StockLine[]): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ sku: string; on_hand: number }>(
    'SELECT sku, on_hand FROM monolith.stock WHERE sku = ANY($1) ORDER BY sku FOR UPDATE',
    [lines.map((line) => line.sku)],
  );
  return new Map(rows.map((row) => [row.sku, row.on_hand]));
}

const applyDelta = (tx: Queryable, lines: StockLine[], sign: 1 | -1) =>
  tx.query(
    `UPDATE monolith.stock s SET on_hand = s.on_hand + $3 * l.quantity
     FROM unnest($1::text[], $2::int[]) AS l (sku, quantity) WHERE s.sku = l.sku`,
    [lines.map((line) => line.sku), lines.map((line) => line.quantity), sign],
  );

export async function takeStock(tx: Queryable, lines: StockLine[]): Promise<void> {
  const onHand = await lockStock(tx, lines);
  const shortages = lines
    .map(({ sku, quantity }) => ({ sku, requested: quantity, available: onHand.get(sku) ?? 0 }))
    .filter((line) => line.requested > line.available);
  if (shortages.length > 0) {
    const detail = shortages
      .map((s) => `${s.sku}: ${s.requested} requested, ${s.available} on hand`)
      .join('; ');
    throw problem('out-of-stock', detail, { shortages });
  }
  await applyDelta(tx, lines, -1);
}

export async function putBackStock(tx: Queryable, lines: StockLine[]): Promise<void> {
  // The rows exist: the stock was taken from them, and stock rows are never deleted.
  await lockStock(tx, lines);
  await applyDelta(tx, lines, 1);
}
