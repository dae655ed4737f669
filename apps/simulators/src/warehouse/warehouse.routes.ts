/**
 * The warehouse: stock per sku, reservations that hold stock for a TTL and then lapse on their
 * own, allocations that commit a reservation to its order, and releases that give stock back.
 * Reserving is all-or-nothing across an order's lines and safe under concurrency (stock rows
 * are locked), so stock is conserved: available never goes below zero. Releasing is idempotent:
 * a lapsed, released or unknown reservation releases with 200 (nothing is left to give back).
 * A returned parcel is restocked once per return: the same return again changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db';
import { idempotent } from '../http/idempotency';
import { Input, queryParam, type StockLine } from '../http/input';
import { problem } from '../http/problem';
import { ok, route, type Route } from '../http/router';
import { lockStock, RESERVATION_STATE, stockLevels } from './warehouse.stock';

export function warehouseRoutes(db: Db): Route[] {
  return [
    route('GET', '/warehouse/stock/:sku', async ({ params }) => {
      const levels = await stockLevels(db, [params.sku!]);
      return ok(levels.get(params.sku!));
    }),
    route('PUT', '/warehouse/stock/:sku', async ({ params, body }) => {
      const onHand = Input.of(body).integer('onHand');
      return ok(await db.transaction((tx) => setStock(tx, params.sku!, onHand)));
    }),
    route('POST', '/warehouse/reservations', async (request) => {
      const input = Input.of(request.body);
      const orderId = input.string('orderId');
      const lines = mergeLines(input.lines('lines'));
      const ttlMs = input.integer('ttlMs', 1);
      return idempotent(db, request, (tx) => reserve(tx, orderId, lines, ttlMs));
    }),
    route('GET', '/warehouse/reservations', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      return ok(await listReservations(db, 'r.order_id = $1', orderId));
    }),
    route('GET', '/warehouse/reservations/:id', async ({ params }) => {
      const [reservation] = await listReservations(db, 'r.id = $1', params.id!);
      if (!reservation) throw problem('not-found', `no reservation ${params.id}`);
      return ok(reservation);
    }),
    route('POST', '/warehouse/reservations/:id/allocate', async (request) =>
      idempotent(db, request, (tx) => allocate(tx, request.params.id!)),
    ),
    route('POST', '/warehouse/reservations/:id/release', async (request) =>
      idempotent(db, request, (tx) => release(tx, request.params.id!)),
    ),
    route('POST', '/warehouse/returns', async (request) => {
      const input = Input.of(request.body);
      const returnId = input.string('returnId');
      const orderId = input.string('orderId');
      const lines = mergeLines(input.lines('lines'));
      return idempotent(db, request, (tx) => restock(tx, returnId, orderId, lines));
    }),
    route('GET', '/warehouse/returns', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT return_id AS "returnId", order_id AS "orderId", sku, quantity,
           restocked_at AS "restockedAt"
         FROM warehouse_returns WHERE order_id = $1 ORDER BY restocked_at, sku`,
        [orderId],
      );
      return ok(rows);
    }),
  ];
}

/** Puts a returned parcel's lines back on hand, each sku of a return once. */
async function restock(tx: Queryable, returnId: string, orderId: string, lines: StockLine[]) {
  await lockStock(
    tx,
    lines.map((line) => line.sku),
  );
  for (const { sku, quantity } of lines) {
    const { rowCount } = await tx.query(
      `INSERT INTO warehouse_returns (return_id, order_id, sku, quantity) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [returnId, orderId, sku, quantity],
    );
    if (rowCount === 0) continue;
    await tx.query(
      `INSERT INTO warehouse_stock (sku, on_hand) VALUES ($1, $2)
       ON CONFLICT (sku) DO UPDATE SET on_hand = warehouse_stock.on_hand + EXCLUDED.on_hand`,
      [sku, quantity],
    );
  }
  return ok({ returnId, restocked: lines }, 201);
}

/** Sets on-hand stock; refused when it would fall below what is reserved or allocated. */
async function setStock(tx: Queryable, sku: string, onHand: number) {
  await tx.query(
    'INSERT INTO warehouse_stock (sku, on_hand) VALUES ($1, 0) ON CONFLICT DO NOTHING',
    [sku],
  );
  await lockStock(tx, [sku]);
  const level = (await stockLevels(tx, [sku])).get(sku)!;
  const committed = level.reserved + level.allocated;
  if (onHand < committed) {
    throw problem(
      'stock-committed',
      `${sku}: ${committed} reserved or allocated, more than ${onHand}`,
    );
  }
  await tx.query('UPDATE warehouse_stock SET on_hand = $2 WHERE sku = $1', [sku, onHand]);
  return { ...level, onHand, available: onHand - committed };
}

async function reserve(tx: Queryable, orderId: string, lines: StockLine[], ttlMs: number) {
  const skus = lines.map((line) => line.sku);
  await lockStock(tx, skus);
  const levels = await stockLevels(tx, skus);
  const shortages = lines
    .map((line) => ({ ...line, available: levels.get(line.sku)?.available ?? 0 }))
    .filter((line) => line.quantity > line.available);
  if (shortages.length > 0) {
    const detail = shortages
      .map((s) => `${s.sku}: ${s.quantity} requested, ${s.available} available`)
      .join('; ');
    throw problem('out-of-stock', detail, {
      shortages: shortages.map(({ sku, quantity, available }) => ({
        sku,
        requested: quantity,
        available,
      })),
    });
  }
  const reservationId = `res_${randomUUID()}`;
  const { rows } = await tx.query<{ expiresAt: Date }>(
    `INSERT INTO warehouse_reservations (id, order_id, state, expires_at)
     VALUES ($1, $2, 'reserved', clock_timestamp() + $3 * interval '1 millisecond')
     RETURNING expires_at AS "expiresAt"`,
    [reservationId, orderId, ttlMs],
  );
  await tx.query(
    `INSERT INTO warehouse_reservation_lines (reservation_id, sku, quantity)
     SELECT $1, sku, quantity FROM unnest($2::text[], $3::int[]) AS l (sku, quantity)`,
    [reservationId, skus, lines.map((line) => line.quantity)],
  );
  return ok({ reservationId, expiresAt: rows[0]!.expiresAt }, 201);
}

async function allocate(tx: Queryable, reservationId: string) {
  const reservation = await lockReservation(tx, reservationId);
  if (!reservation) throw problem('not-found', `no reservation ${reservationId}`);
  const allocated = ok({ reservationId, state: 'allocated' });
  if (reservation.state === 'allocated') return allocated;
  if (reservation.state === 'released') {
    throw problem('reservation-expired', `reservation ${reservationId} was released`);
  }
  // Lock its stock before the expiry check, so no concurrent reservation can have counted it
  // as lapsed and taken its stock in the meantime.
  const { rows } = await tx.query<{ sku: string }>(
    'SELECT sku FROM warehouse_reservation_lines WHERE reservation_id = $1',
    [reservationId],
  );
  await lockStock(
    tx,
    rows.map((row) => row.sku),
  );
  const { rowCount } = await tx.query(
    `UPDATE warehouse_reservations SET state = 'allocated', allocated_at = clock_timestamp()
     WHERE id = $1 AND expires_at > clock_timestamp()`,
    [reservationId],
  );
  if (rowCount === 0) {
    throw problem(
      'reservation-expired',
      `reservation ${reservationId} lapsed at ${reservation.expiresAt.toISOString()}`,
    );
  }
  return allocated;
}

async function release(tx: Queryable, reservationId: string) {
  const reservation = await lockReservation(tx, reservationId);
  if (!reservation) return ok({ reservationId, state: 'unknown' });
  if (reservation.state === 'released' || reservation.state === 'expired') {
    return ok({ reservationId, state: reservation.state });
  }
  await tx.query(
    `UPDATE warehouse_reservations SET state = 'released', released_at = clock_timestamp()
     WHERE id = $1`,
    [reservationId],
  );
  return ok({ reservationId, state: 'released' });
}

async function lockReservation(tx: Queryable, reservationId: string) {
  const { rows } = await tx.query<{ state: string; expiresAt: Date }>(
    `SELECT ${RESERVATION_STATE} AS state, r.expires_at AS "expiresAt"
     FROM warehouse_reservations r WHERE r.id = $1 FOR UPDATE`,
    [reservationId],
  );
  return rows[0];
}

function listReservations(q: Queryable, where: string, value: string) {
  return q
    .query(
      `SELECT r.id AS "reservationId", r.order_id AS "orderId", ${RESERVATION_STATE} AS state,
              r.expires_at AS "expiresAt", r.created_at AS "createdAt",
              (SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity)
                               ORDER BY l.sku)
               FROM warehouse_reservation_lines l WHERE l.reservation_id = r.id) AS lines
       FROM warehouse_reservations r WHERE ${where} ORDER BY r.created_at, r.id`,
      [value],
    )
    .then(({ rows }) => rows);
}

/** The same sku on two lines is one line with the summed quantity. */
function mergeLines(lines: StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}
