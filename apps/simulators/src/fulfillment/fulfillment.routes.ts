/**
 * The fulfilment service: the platform asks it to ship an order and may cancel the shipment
 * until the parcel has left (then 409 `already-dispatched`). Dispatching is what the warehouse
 * floor does and delivering what the carrier does; here they are helpers for tests and
 * operators. Each of them tells the platform by itself (an outbox row in the same transaction,
 * sent by the webhook notifier). Cancelling a cancelled shipment, dispatching a dispatched one
 * and delivering a delivered one succeed, and notify nothing again.
 *
 * A return parcel that reaches the warehouse is recorded against the return authorization the
 * platform issued (`POST /fulfillment/returns`, the customer writes it on the parcel) and told
 * to the platform as a `return-received` fact; the same parcel scanned again is recorded and
 * told once. Only a parcel of an order that left the warehouse can come back.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db';
import { idempotent } from '../http/idempotency';
import { Input, queryParam } from '../http/input';
import { problem } from '../http/problem';
import { ok, type Reply, route, type Route } from '../http/router';
import {
  type FulfillmentFact,
  loadWebhookSettings,
  saveWebhookSettings,
} from './fulfillment-webhook';

type ShipmentState = 'created' | 'dispatched' | 'delivered' | 'cancelled';

export interface FulfillmentOptions {
  /** Called once a fact's transaction committed, so the notifier sends it at once. */
  onFact?: () => void;
  /** The webhook URL until the settings say otherwise (FULFILLMENT_WEBHOOK_URL). */
  defaultWebhookUrl?: string;
}

export function fulfillmentRoutes(db: Db, options: FulfillmentOptions = {}): Route[] {
  const onFact = options.onFact ?? (() => {});
  const afterCommit = async (reply: Promise<Reply>) => {
    const result = await reply;
    onFact();
    return result;
  };
  return [
    route('POST', '/fulfillment/shipments', async (request) => {
      const input = Input.of(request.body);
      const orderId = input.string('orderId');
      const lines = input.lines('lines');
      const shipTo = (request.body as { shipTo?: unknown }).shipTo;
      if (shipTo !== undefined && (typeof shipTo !== 'object' || shipTo === null)) {
        throw problem('invalid-request', 'shipTo must be an address object');
      }
      return idempotent(db, request, async (tx) => {
        const shipmentId = `shp_${randomUUID()}`;
        await tx.query(
          `INSERT INTO fulfillment_shipments (id, order_id, lines, state, ship_to)
           VALUES ($1, $2, $3, 'created', $4)`,
          [shipmentId, orderId, JSON.stringify(lines), shipTo ? JSON.stringify(shipTo) : null],
        );
        return ok({ shipmentId }, 201);
      });
    }),
    route('POST', '/fulfillment/shipments/:id/dispatch', async (request) =>
      afterCommit(idempotent(db, request, (tx) => dispatch(tx, request.params.id!))),
    ),
    route('POST', '/fulfillment/shipments/:id/deliver', async (request) =>
      afterCommit(idempotent(db, request, (tx) => deliver(tx, request.params.id!))),
    ),
    route('POST', '/fulfillment/shipments/:id/cancel', async (request) =>
      idempotent(db, request, (tx) => cancel(tx, request.params.id!)),
    ),
    route('POST', '/fulfillment/returns', async (request) => {
      const input = Input.of(request.body);
      const orderId = input.string('orderId');
      const returnId = input.string('returnId');
      return afterCommit(idempotent(db, request, (tx) => receiveReturn(tx, orderId, returnId)));
    }),
    route('GET', '/fulfillment/returns', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT return_id AS "returnId", order_id AS "orderId", shipment_id AS "shipmentId",
                received_at AS "receivedAt"
         FROM fulfillment_return_parcels WHERE order_id = $1 ORDER BY received_at, return_id`,
        [orderId],
      );
      return ok(rows);
    }),
    route('GET', '/fulfillment/shipments', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT id AS "shipmentId", order_id AS "orderId", lines, state, ship_to AS "shipTo",
                created_at AS "createdAt", dispatched_at AS "dispatchedAt",
                delivered_at AS "deliveredAt", cancelled_at AS "cancelledAt"
         FROM fulfillment_shipments WHERE order_id = $1 ORDER BY created_at, id`,
        [orderId],
      );
      return ok(rows);
    }),
    // What was told to the platform, and how far each notification got.
    route('GET', '/fulfillment/notifications', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT event_id AS "eventId", payload->>'kind' AS kind, shipment_id AS "shipmentId",
                state, attempts, last_error AS "lastError", delivered_at AS "deliveredAt"
         FROM fulfillment_notifications WHERE payload->>'orderId' = $1 ORDER BY id`,
        [orderId],
      );
      return ok(rows);
    }),
    route('GET', '/fulfillment/settings', async () =>
      ok(await loadWebhookSettings(db, options.defaultWebhookUrl ?? null)),
    ),
    // PUT replaces the settings: what the body leaves out goes back to its default.
    route('PUT', '/fulfillment/settings', async (request) => {
      const input = Input.of(request.body);
      const saved = await saveWebhookSettings(db, {
        webhookUrl: input.optionalHttpUrl('webhookUrl') ?? options.defaultWebhookUrl ?? null,
      });
      onFact();
      return ok(saved);
    }),
  ];
}

async function dispatch(tx: Queryable, shipmentId: string) {
  const state = await lockShipment(tx, shipmentId);
  if (state === 'cancelled')
    throw problem('shipment-cancelled', `shipment ${shipmentId} was cancelled`);
  if (state === 'created') {
    const { rows } = await tx.query<{ orderId: string; at: Date }>(
      `UPDATE fulfillment_shipments SET state = 'dispatched', dispatched_at = clock_timestamp()
       WHERE id = $1 RETURNING order_id AS "orderId", dispatched_at AS at`,
      [shipmentId],
    );
    await recordFact(tx, { kind: 'dispatched', shipmentId, ...rows[0]! });
  }
  return ok({ shipmentId, state: state === 'delivered' ? 'delivered' : 'dispatched' });
}

async function deliver(tx: Queryable, shipmentId: string) {
  const state = await lockShipment(tx, shipmentId);
  if (state === 'cancelled')
    throw problem('shipment-cancelled', `shipment ${shipmentId} was cancelled`);
  if (state === 'created')
    throw problem('not-dispatched', `shipment ${shipmentId} has not left the warehouse`);
  if (state === 'dispatched') {
    const { rows } = await tx.query<{ orderId: string; at: Date }>(
      `UPDATE fulfillment_shipments SET state = 'delivered', delivered_at = clock_timestamp()
       WHERE id = $1 RETURNING order_id AS "orderId", delivered_at AS at`,
      [shipmentId],
    );
    await recordFact(tx, { kind: 'delivered', shipmentId, ...rows[0]! });
  }
  return ok({ shipmentId, state: 'delivered' });
}

/** The parcel back under a return authorization, once; told to the platform once. */
async function receiveReturn(tx: Queryable, orderId: string, returnId: string) {
  const { rows: shipments } = await tx.query<{ id: string; state: ShipmentState }>(
    `SELECT id, state FROM fulfillment_shipments WHERE order_id = $1
     ORDER BY (state IN ('dispatched', 'delivered')) DESC, created_at DESC LIMIT 1 FOR UPDATE`,
    [orderId],
  );
  const shipment = shipments[0];
  if (!shipment) throw problem('not-found', `no shipment for order ${orderId}`);
  if (shipment.state !== 'dispatched' && shipment.state !== 'delivered') {
    throw problem('not-dispatched', `order ${orderId} never left the warehouse`);
  }
  const { rows } = await tx.query<{ orderId: string; at: Date }>(
    `INSERT INTO fulfillment_return_parcels (return_id, order_id, shipment_id)
     VALUES ($1, $2, $3) ON CONFLICT (return_id) DO NOTHING
     RETURNING order_id AS "orderId", received_at AS at`,
    [returnId, orderId, shipment.id],
  );
  if (rows[0]) {
    await recordFact(tx, {
      kind: 'return-received',
      shipmentId: shipment.id,
      returnId,
      ...rows[0],
    });
    return ok({ returnId, orderId, shipmentId: shipment.id, state: 'received' }, 201);
  }
  const { rows: earlier } = await tx.query<{ orderId: string }>(
    'SELECT order_id AS "orderId" FROM fulfillment_return_parcels WHERE return_id = $1',
    [returnId],
  );
  if (earlier[0]!.orderId !== orderId) {
    throw problem('invalid-request', `return ${returnId} came back for another order`);
  }
  return ok({ returnId, orderId, shipmentId: shipment.id, state: 'received' });
}

/** The notification to the platform, in the fact's own transaction: it cannot be lost. */
async function recordFact(
  tx: Queryable,
  fact: {
    kind: FulfillmentFact['kind'];
    shipmentId: string;
    orderId: string;
    at: Date;
    returnId?: string;
  },
): Promise<void> {
  const payload: FulfillmentFact = {
    eventId: fact.returnId ? `${fact.returnId}:${fact.kind}` : `${fact.shipmentId}:${fact.kind}`,
    orderId: fact.orderId,
    shipmentId: fact.shipmentId,
    kind: fact.kind,
    ...(fact.returnId ? { returnId: fact.returnId } : {}),
    occurredAt: fact.at.toISOString(),
  };
  await tx.query(
    `INSERT INTO fulfillment_notifications (event_id, shipment_id, payload) VALUES ($1, $2, $3)
     ON CONFLICT (event_id) DO NOTHING`,
    [payload.eventId, payload.shipmentId, JSON.stringify(payload)],
  );
}

async function cancel(tx: Queryable, shipmentId: string) {
  const state = await lockShipment(tx, shipmentId);
  if (state === 'dispatched' || state === 'delivered') {
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
