/**
 * The fulfilment service: the platform asks it to ship an order and may cancel the shipment
 * until the parcel has left (then 409 `already-dispatched`). Dispatching is what the warehouse
 * floor does; here it is a helper for tests and operators. Cancelling a cancelled shipment and
 * dispatching a dispatched one succeed.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db';
import { idempotent } from '../http/idempotency';
import { Input, queryParam } from '../http/input';
import { problem } from '../http/problem';
import { ok, route, type Route } from '../http/router';

type ShipmentState = 'created' | 'dispatched' | 'cancelled';

export function fulfillmentRoutes(db: Db): Route[] {
  return [
    route('POST', '/fulfillment/shipments', async (request) => {
      const input = Input.of(request.body);
      const orderId = input.string('orderId');
      const lines = input.lines('lines');
      return idempotent(db, request, async (tx) => {
        const shipmentId = `shp_${randomUUID()}`;
        await tx.query(
          `INSERT INTO fulfillment_shipments (id, order_id, lines, state)
           VALUES ($1, $2, $3, 'created')`,
          [shipmentId, orderId, JSON.stringify(lines)],
        );
        return ok({ shipmentId }, 201);
      });
    }),
    route('POST', '/fulfillment/shipments/:id/dispatch', async (request) =>
      idempotent(db, request, (tx) => dispatch(tx, request.params.id!)),
    ),
    route('POST', '/fulfillment/shipments/:id/cancel', async (request) =>
      idempotent(db, request, (tx) => cancel(tx, request.params.id!)),
    ),
    route('GET', '/fulfillment/shipments', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT id AS "shipmentId", order_id AS "orderId", lines, state,
                created_at AS "createdAt", dispatched_at AS "dispatchedAt",
                cancelled_at AS "cancelledAt"
         FROM fulfillment_shipments WHERE order_id = $1 ORDER BY created_at, id`,
        [orderId],
      );
      return ok(rows);
    }),
  ];
}

async function dispatch(tx: Queryable, shipmentId: string) {
  const state = await lockShipment(tx, shipmentId);
  if (state === 'cancelled')
    throw problem('shipment-cancelled', `shipment ${shipmentId} was cancelled`);
  if (state === 'created') {
    await tx.query(
      `UPDATE fulfillment_shipments SET state = 'dispatched', dispatched_at = clock_timestamp()
       WHERE id = $1`,
      [shipmentId],
    );
  }
  return ok({ shipmentId, state: 'dispatched' });
}

async function cancel(tx: Queryable, shipmentId: string) {
  const state = await lockShipment(tx, shipmentId);
  if (state === 'dispatched') {
    throw problem('already-dispatched', `shipment ${shipmentId} has left the warehouse`);
  }
  if (state === 'created') {
    await tx.query(
      `UPDATE fulfillment_shipments SET state = 'cancelled', cancelled_at = clock_timestamp()
       WHERE id = $1`,
      [shipmentId],
    );
  }
  return ok({ shipmentId, state: 'cancelled' });
}

async function lockShipment(tx: Queryable, shipmentId: string): Promise<ShipmentState> {
  const { rows } = await tx.query<{ state: ShipmentState }>(
    'SELECT state FROM fulfillment_shipments WHERE id = $1 FOR UPDATE',
    [shipmentId],
  );
  if (!rows[0]) throw problem('not-found', `no shipment ${shipmentId}`);
  return rows[0].state;
}
