/**
 * The monolith's order flow, the old synchronous way: placing an order prices it from the
 * monolith's own price list (never from the request), decides fraud, takes stock and
 * authorizes payment in ONE transaction, and every change writes its outbox events in
 * that same transaction (so the legacy adapter never sees a change without its event, nor an
 * event without its change). Every order change locks the order's row first (then stock rows),
 * so two requests on one order serialise.
 *
 * A stage handed over to the platform (handover.ts; fraud also with `deferToPlatform`) is not
 * decided here: the order waits (PENDING_FRAUD, PENDING_STOCK, PENDING_PAYMENT) until the
 * platform posts its outcome, records it, and goes on as it would have. A handed-over fulfilment
 * is shipped and delivered by the platform (`POST /orders/{id}/shipment`), and handed-over
 * notifications are sent by the platform and recorded (`POST /orders/{id}/notifications`); the
 * monolith's own ship, deliver and notifications stay silent for that order. A handed-over stage
 * the platform failed for good (not a decline: a call refused, say the shipment) is told on the
 * same path (`outcome: 'failed'`, or `state: 'failed'` for the shipment, with a reason): the
 * order is cancelled with that reason, as a cancel would. The monolith captures and puts back
 * only what it holds itself.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db';
import { applyFraudRule, loadFraudSettings } from './fraud';
import { handedOverStages, loadHandoverSettings, type Stage } from './handover';
import { Input, ok, problem, route, type Route } from './http';
import type { Log } from './log';
import { priceOrder } from './products';
import { MAX_INT, mergeLines, putBackStock, takeStock } from './stock';

type OrderStatus =
  | 'PENDING_FRAUD'
  | 'PENDING_STOCK'
  | 'PENDING_PAYMENT'
  | 'ACCEPTED'
  | 'REJECTED'
  | 'SHIPPED'
  | 'DELIVERED'
  | 'CANCELLED';

/** What the monolith tells customers itself, unless notifications are handed over. */
type NotificationKind = 'confirmed' | 'rejected' | 'shipped' | 'delivered' | 'cancelled';
const NOTIFICATION_KINDS: readonly NotificationKind[] = [
  'confirmed',
  'rejected',
  'shipped',
  'delivered',
  'cancelled',
];

interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

interface Order {
  orderId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  paymentAuthId: string | null;
  handedOver: Stage[];
  /** Who holds the order's stock: null before it is reserved (and on rows older than hand-over). */
  stockHeldBy: 'monolith' | 'platform' | null;
  stockReservationId: string | null;
  shipmentId: string | null;
  /** Why the order ended, once cancelled. */
  endedReason: string | null;
  lines: OrderLine[];
}

interface FraudDecision {
  decision: 'APPROVED' | 'REJECTED';
  decidedBy: 'rules' | 'external';
  /** The rule's score; null when the platform decided. */
  score: number | null;
  reason?: string;
}

export function orderRoutes(db: Db, log: Log): Route[] {
  const changed = (orderId: string, status: OrderStatus, message: string, fields = {}) => {
    log('info', message, { orderId, status, ...fields });
    return { orderId, status };
  };
  return [
    route('POST', '/orders', async ({ body }) => {
      const placed = readOrder(body);
      const status = await db.transaction((tx) => placeOrder(tx, placed));
      return ok(changed(placed.orderId, status, 'order placed'), 201);
    }),
    route('GET', '/orders/:id', async ({ params }) => {
      const { rows } = await db.query(ORDER_VIEW, [params.id]);
      if (!rows[0]) throw problem('not-found', `no order ${params.id}`);
      return ok(rows[0]);
    }),
    route('POST', '/orders/:id/fraud-decision', async ({ params, body }) => {
      const input = Input.of(body);
      const approve = input.oneOf('decision', ['approve', 'reject']) === 'approve';
      const reference = input.has('reference') ? input.string('reference') : undefined;
      const status = await db.transaction(async (tx) => {
        const order = await lockOrder(tx, params.id!, ['PENDING_FRAUD'], 'decide fraud for');
        const ref = reference ? ` (reference ${reference})` : '';
        const fraud: FraudDecision = approve
          ? { decision: 'APPROVED', decidedBy: 'external', score: null }
          : {
              decision: 'REJECTED',
              decidedBy: 'external',
              score: null,
              reason: `fraud: rejected by the platform${ref}`,
            };
        const settled = await settleFraud(tx, order, fraud);
        await updateOrder(tx, order.orderId, {
          ...settled.columns,
          fraud_decision: fraud.decision,
          fraud_decided_by: fraud.decidedBy,
          fraud_score: fraud.score,
        });
        await settled.emitAll();
        return settled.status;
      });
      return ok(changed(params.id!, status, 'external fraud decision applied', { reference }));
    }),
    // The platform reserved the order's stock in its warehouse (or found it unavailable).
    route('POST', '/orders/:id/stock-reservation', async ({ params, body }) => {
      const input = Input.of(body);
      const outcome = input.has('outcome')
        ? input.oneOf('outcome', ['reserved', 'unavailable', 'failed'])
        : 'reserved';
      const failed = platformFailure(input, outcome === 'failed', 'inventory');
      const reservationId = outcome === 'reserved' ? input.string('reservationId') : null;
      const status = await db.transaction(async (tx) => {
        const order = await lockHandedOver(tx, params.id!, 'inventory');
        if (reservationId !== null && order.stockReservationId === reservationId)
          return order.status; // told again (a retry): already recorded
        if (failed && isToldAgain(order, failed)) return order.status;
        assertStatus(order, ['PENDING_STOCK'], 'record a stock reservation for');
        if (failed) return cancel(tx, order, failed);
        if (outcome === 'unavailable')
          return reject(tx, order, 'out of stock in the platform warehouse');
        order.stockHeldBy = 'platform';
        order.stockReservationId = reservationId;
        const settled = await advance(tx, order, [
          [
            'StockReserved',
            { orderId: order.orderId, lines: mergeLines(order.lines), reservationId },
          ],
        ]);
        await updateOrder(tx, order.orderId, settled.columns);
        await settled.emitAll();
        return settled.status;
      });
      return ok(
        changed(params.id!, status, 'platform stock reservation recorded', { reservationId }),
      );
    }),
    // The platform authorized the order's payment through its gateway (or it was declined).
    route('POST', '/orders/:id/payment-authorization', async ({ params, body }) => {
      const input = Input.of(body);
      const outcome = input.has('outcome')
        ? input.oneOf('outcome', ['authorized', 'declined', 'failed'])
        : 'authorized';
      const failed = platformFailure(input, outcome === 'failed', 'payment');
      const authorized = outcome === 'authorized';
      const reference = authorized ? input.string('paymentReference') : null;
      const amountCents = authorized ? input.integer('amountCents') : null;
      const status = await db.transaction(async (tx) => {
        const order = await lockHandedOver(tx, params.id!, 'payment');
        if (reference !== null && order.paymentAuthId === reference) return order.status;
        if (failed && isToldAgain(order, failed)) return order.status;
        assertStatus(order, ['PENDING_PAYMENT'], 'record a payment authorization for');
        if (failed) return cancel(tx, order, failed);
        if (outcome === 'declined') return reject(tx, order, 'payment declined by the platform');
        if (amountCents !== order.totalCents) {
          throw problem(
            'invalid-request',
            `amountCents ${amountCents} is not the order's total ${order.totalCents}`,
            { field: 'amountCents' },
          );
        }
        const { orderId, currency } = order;
        await tx.query(
          `INSERT INTO monolith.payments (auth_id, order_id, amount_cents, currency, status, held_by)
           VALUES ($1, $2, $3, $4, 'AUTHORIZED', 'platform')`,
          [reference, orderId, amountCents, currency],
        );
        order.paymentAuthId = reference;
        const settled = await advance(tx, order, [
          ['PaymentAuthorized', { orderId, authId: reference, amountCents, currency }],
        ]);
        await updateOrder(tx, orderId, settled.columns);
        await settled.emitAll();
        return settled.status;
      });
      return ok(
        changed(params.id!, status, 'platform payment authorization recorded', { reference }),
      );
    }),
    // The platform's shipment: dispatched, then delivered (or it could not be made at all).
    route('POST', '/orders/:id/shipment', async ({ params, body }) => {
      const input = Input.of(body);
      const state = input.oneOf('state', ['dispatched', 'delivered', 'failed']);
      const failed = platformFailure(input, state === 'failed', 'fulfilment');
      if (failed) {
        const status = await db.transaction(async (tx) => {
          const order = await lockHandedOver(tx, params.id!, 'fulfilment');
          if (isToldAgain(order, failed)) return order.status;
          assertStatus(order, ['ACCEPTED'], 'record a failed shipment for');
          return cancel(tx, order, failed);
        });
        return ok(changed(params.id!, status, 'platform fulfilment failed', { reason: failed }));
      }
      const shipmentId = input.string('shipmentId');
      const status = await db.transaction(async (tx) => {
        const order = await lockHandedOver(tx, params.id!, 'fulfilment');
        const target: OrderStatus = state === 'dispatched' ? 'SHIPPED' : 'DELIVERED';
        if (
          order.shipmentId === shipmentId &&
          (order.status === target || order.status === 'DELIVERED')
        )
          return order.status; // told again (a retry)
        if (state === 'dispatched') {
          assertStatus(order, ['ACCEPTED'], 'record a dispatch for');
          await updateOrder(tx, order.orderId, { status: 'SHIPPED', shipment_id: shipmentId });
          await emit(tx, order.orderId, 'OrderShipped', { orderId: order.orderId, shipmentId });
          await notify(tx, order, 'shipped');
          return 'SHIPPED';
        }
        if (order.shipmentId !== shipmentId) {
          throw problem(
            'invalid-transition',
            `order ${order.orderId} has no shipment ${shipmentId}`,
            {
              orderStatus: order.status,
            },
          );
        }
        assertStatus(order, ['SHIPPED'], 'record a delivery for');
        await deliver(tx, order);
        return 'DELIVERED';
      });
      return ok(changed(params.id!, status, `platform shipment ${state}`, { shipmentId }));
    }),
    // The platform told the customer; recorded once per kind.
    route('POST', '/orders/:id/notifications', async ({ params, body }) => {
      const input = Input.of(body);
      const kind = input.oneOf('kind', NOTIFICATION_KINDS);
      const reference = input.has('reference') ? input.string('reference') : null;
      await db.transaction(async (tx) => {
        const order = await lockHandedOver(tx, params.id!, 'notification');
        await recordNotification(tx, order.orderId, kind, 'platform', reference);
      });
      log('info', 'platform notification recorded', { orderId: params.id, kind, reference });
      return ok({ orderId: params.id, kind, sentBy: 'platform' });
    }),
    route('POST', '/orders/:id/ship', async ({ params }) => {
      await db.transaction(async (tx) => {
        const order = await lockOrder(tx, params.id!, ['ACCEPTED'], 'ship');
        refuseHandedOver(order, 'fulfilment', 'ship');
        await updateOrder(tx, order.orderId, { status: 'SHIPPED' });
        await emit(tx, order.orderId, 'OrderShipped', { orderId: order.orderId });
        await notify(tx, order, 'shipped');
      });
      return ok(changed(params.id!, 'SHIPPED', 'order shipped'));
    }),
    route('POST', '/orders/:id/deliver', async ({ params }) => {
      await db.transaction(async (tx) => {
        const order = await lockOrder(tx, params.id!, ['SHIPPED'], 'deliver');
        refuseHandedOver(order, 'fulfilment', 'deliver');
        await deliver(tx, order);
      });
      return ok(changed(params.id!, 'DELIVERED', 'order delivered'));
    }),
    route('POST', '/orders/:id/cancel', async ({ params, body }) => {
      const reason = Input.of(body).string('reason');
      await db.transaction(async (tx) => {
        const order = await lockOrder(
          tx,
          params.id!,
          ['PENDING_FRAUD', 'PENDING_STOCK', 'PENDING_PAYMENT', 'ACCEPTED'],
          'cancel',
        );
        await cancel(tx, order, reason);
      });
      return ok(changed(params.id!, 'CANCELLED', 'order cancelled'));
    }),
  ];
}

/**
 * The reason a cancel records when the platform failed a handed-over stage (`failed`: the
 * outcome said so, and then `reason` is required), else undefined.
 */
function platformFailure(input: Input, failed: boolean, stage: Stage): string | undefined {
  return failed ? `platform ${stage} failed: ${input.string('reason')}` : undefined;
}

/** The same failure told again (a retry of the platform's call): answered as the first time. */
function isToldAgain(order: Order, reason: string): boolean {
  return order.status === 'CANCELLED' && order.endedReason === reason;
}

/**
 * Cancels the order with `reason`: only what the monolith holds itself is put back here (the
 * platform undoes its own), and the customer is told unless notifications are handed over.
 */
async function cancel(tx: Queryable, order: Order, reason: string): Promise<OrderStatus> {
  const { orderId, paymentAuthId: authId } = order;
  await updateOrder(tx, orderId, { status: 'CANCELLED', ended_reason: reason });
  await emit(tx, orderId, 'OrderCancelled', { orderId, reason });
  await putBackOwnStock(tx, order);
  const { rowCount } = await tx.query(
    `UPDATE monolith.payments SET status = 'VOIDED', updated_at = now()
     WHERE auth_id = $1 AND held_by = 'monolith'`,
    [authId],
  );
  if (rowCount) await emit(tx, orderId, 'PaymentVoided', { orderId, authId });
  await notify(tx, order, 'cancelled');
  return 'CANCELLED';
}

/** Delivery: the monolith captures the payment only if it holds it (the platform captures its own). */
async function deliver(tx: Queryable, order: Order): Promise<void> {
  const { orderId, paymentAuthId: authId } = order;
  const { rows } = await tx.query<{ amount_cents: number }>(
    `UPDATE monolith.payments SET status = 'CAPTURED', updated_at = now()
     WHERE auth_id = $1 AND held_by = 'monolith' RETURNING amount_cents`,
    [authId],
  );
  await updateOrder(tx, orderId, { status: 'DELIVERED' });
  if (rows[0]) {
    const amountCents = rows[0].amount_cents;
    await emit(tx, orderId, 'PaymentCaptured', { orderId, authId, amountCents });
  }
  await emit(tx, orderId, 'OrderDelivered', { orderId });
  await notify(tx, order, 'delivered');
}

async function putBackOwnStock(tx: Queryable, order: Order): Promise<void> {
  // Rows from before hand-over record no holder: an accepted one took its stock here.
  const own =
    order.stockHeldBy === 'monolith' || (order.stockHeldBy === null && order.status === 'ACCEPTED');
  if (!own) return;
  const lines = mergeLines(order.lines);
  await putBackStock(tx, lines);
  await emit(tx, order.orderId, 'StockReleased', { orderId: order.orderId, lines });
}

/** The platform's outcome ended the order: rejected, and the monolith's own stock put back. */
async function reject(tx: Queryable, order: Order, reason: string): Promise<OrderStatus> {
  await updateOrder(tx, order.orderId, { status: 'REJECTED' });
  await putBackOwnStock(tx, order);
  await emit(tx, order.orderId, 'OrderRejected', { orderId: order.orderId, reason });
  await notify(tx, order, 'rejected');
  return 'REJECTED';
}

/** The customer is told by the monolith, unless notifications of this order are handed over. */
async function notify(
  tx: Queryable,
  order: Pick<Order, 'orderId' | 'handedOver'>,
  kind: NotificationKind,
): Promise<void> {
  if (order.handedOver.includes('notification')) return;
  await recordNotification(tx, order.orderId, kind, 'monolith', null);
}

/**
 * Records what the customer was told, once per kind, with its outbox event (CustomerNotified)
 * in the same transaction; told again, nothing more is written.
 */
async function recordNotification(
  tx: Queryable,
  orderId: string,
  kind: NotificationKind,
  sentBy: 'monolith' | 'platform',
  reference: string | null,
): Promise<void> {
  const { rowCount } = await tx.query(
    `INSERT INTO monolith.notifications (order_id, kind, sent_by, reference)
     VALUES ($1, $2, $3, $4) ON CONFLICT (order_id, kind) DO NOTHING`,
    [orderId, kind, sentBy, reference],
  );
  if (rowCount) await emit(tx, orderId, 'CustomerNotified', { orderId, kind, sentBy, reference });
}

function refuseHandedOver(order: Order, stage: Stage, action: string): void {
  if (order.handedOver.includes(stage)) {
    throw problem(
      'handed-over',
      `cannot ${action} order ${order.orderId}: its ${stage} is handed over to the platform`,
      { stage },
    );
  }
}

/** Locks an order whose `stage` is handed over; 409 handed-over-not when the monolith keeps it. */
async function lockHandedOver(tx: Queryable, orderId: string, stage: Stage): Promise<Order> {
  const order = await lockOrder(tx, orderId, null, 'record');
  if (!order.handedOver.includes(stage)) {
    throw problem(
      'not-handed-over',
      `order ${orderId} did not hand its ${stage} over: the monolith decides it itself`,
      { stage },
    );
  }
  return order;
}

function assertStatus(order: Order, allowed: OrderStatus[], action: string): void {
  if (!allowed.includes(order.status)) {
    throw problem(
      'invalid-transition',
      `cannot ${action} order ${order.orderId}: it is ${order.status}`,
      { orderStatus: order.status },
    );
  }
}

/** What a client may ask for: skus and quantities; the price list sets every price. */
interface OrderRequest {
  orderId: string;
  customerId: string;
  items: { sku: string; quantity: number }[];
  /** The currency the client expects, if it says. */
  currency?: string;
  /** Expedited shipping: charged at the price list's rate, on top of the lines. */
  expedited: boolean;
}

function readOrder(body: unknown): OrderRequest {
  const input = Input.of(body);
  const items = input.objects('items').map((item, i) => {
    if (item.has('unitPriceCents')) {
      throw problem('invalid-request', 'prices come from the price list, not the client', {
        field: `items[${i}].unitPriceCents`,
      });
    }
    return { sku: item.string('sku'), quantity: item.integer('quantity', 1, MAX_INT) };
  });
  return {
    orderId: input.has('orderId') ? input.string('orderId') : `L-${randomUUID()}`,
    customerId: input.string('customerId'),
    items,
    ...(input.has('currency') ? { currency: input.currency('currency') } : {}),
    expedited: input.has('expedited') ? input.boolean('expedited') : false,
  };
}

async function placeOrder(tx: Queryable, request: OrderRequest): Promise<OrderStatus> {
  const { orderId, customerId, expedited } = request;
  const { lines, totalCents, currency } = await priceOrder(tx, request.items, request);
  const settings = await loadFraudSettings(tx);
  const handedOver = handedOverStages(
    orderId,
    await loadHandoverSettings(tx),
    settings.deferToPlatform,
  );
  const order: Order = {
    orderId,
    status: 'PENDING_FRAUD',
    totalCents,
    currency,
    paymentAuthId: null,
    handedOver,
    stockHeldBy: null,
    stockReservationId: null,
    shipmentId: null,
    endedReason: null,
    lines,
  };
  const fraud: FraudDecision | undefined = handedOver.includes('fraud')
    ? undefined
    : { ...applyFraudRule(settings, customerId, totalCents), decidedBy: 'rules' };
  const settled: Settled = fraud
    ? await settleFraud(tx, order, fraud)
    : { status: 'PENDING_FRAUD', columns: {}, emitAll: async () => undefined };
  const columns = { ...settled.columns };
  // The row is written once, with its final columns, before the events: its lines reference it.
  // ON CONFLICT waits for a concurrent insert of the same id to commit, then finds it there.
  const { rowCount } = await tx.query(
    `INSERT INTO monolith.orders (order_id, customer_id, status, fraud_decision, fraud_decided_by,
       fraud_score, total_cents, currency, payment_auth_id, expedited, handed_over, stock_held_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (order_id) DO NOTHING`,
    [
      orderId,
      customerId,
      settled.status,
      fraud?.decision ?? null,
      fraud?.decidedBy ?? null,
      fraud?.score ?? null,
      totalCents,
      currency,
      columns.payment_auth_id ?? null,
      expedited,
      handedOver,
      columns.stock_held_by ?? null,
    ],
  );
  if (rowCount === 0) throw problem('order-exists', `order ${orderId} already exists`);
  await tx.query(
    `INSERT INTO monolith.order_lines (order_id, line_no, sku, quantity, unit_price_cents)
     SELECT $1, l.no, l.sku, l.quantity, l.price
     FROM unnest($2::text[], $3::int[], $4::bigint[]) WITH ORDINALITY AS l (sku, quantity, price, no)`,
    [
      orderId,
      lines.map((line) => line.sku),
      lines.map((line) => line.quantity),
      lines.map((line) => line.unitPriceCents),
    ],
  );
  // The order as placed still waits for fraud (in both flows); the events after it say how that
  // ended. `handedOver`: the stages the platform decides for this order.
  await emit(tx, orderId, 'OrderPlaced', {
    orderId,
    customerId,
    lines,
    totalCents,
    currency,
    expedited,
    status: 'PENDING_FRAUD',
    handedOver,
  });
  await settled.emitAll();
  return settled.status;
}

type OutboxEvent = [eventType: string, payload: Record<string, unknown>];

/** Where a step left the order: its status, the row's changed columns, and its events to write. */
interface Settled {
  status: OrderStatus;
  columns: Record<string, unknown>;
  /** Writes the step's outbox events (and the customer's notification): after the row. */
  emitAll(): Promise<void>;
}

/**
 * After a fraud decision: FraudDecided, then OrderRejected, or on to stock and payment. The
 * caller writes the order row, then `emitAll`.
 */
async function settleFraud(tx: Queryable, order: Order, fraud: FraudDecision): Promise<Settled> {
  const { orderId } = order;
  const { decision, decidedBy, score } = fraud;
  const events: OutboxEvent[] = [['FraudDecided', { orderId, decision, decidedBy, score }]];
  if (decision === 'REJECTED') {
    events.push(['OrderRejected', { orderId, reason: fraud.reason }]);
    return settledAs(tx, order, 'REJECTED', events);
  }
  return advance(tx, order, events);
}

/**
 * Takes the order as far as the monolith decides it: its own stock decrement (StockReserved)
 * and payment authorization (PaymentAuthorized) unless handed over, then OrderAccepted. A
 * handed-over stage the platform has not reported yet stops it in PENDING_STOCK or
 * PENDING_PAYMENT. Out of stock throws, rolling the caller's whole transaction back.
 */
async function advance(tx: Queryable, order: Order, events: OutboxEvent[]): Promise<Settled> {
  const { orderId, totalCents: amountCents, currency } = order;
  if (order.stockHeldBy === null) {
    if (order.handedOver.includes('inventory'))
      return settledAs(tx, order, 'PENDING_STOCK', events);
    const lines = mergeLines(order.lines);
    await takeStock(tx, lines);
    order.stockHeldBy = 'monolith';
    events.push(['StockReserved', { orderId, lines }]);
  }
  if (order.paymentAuthId === null) {
    if (order.handedOver.includes('payment'))
      return settledAs(tx, order, 'PENDING_PAYMENT', events);
    const authId = `auth-${randomUUID()}`;
    await tx.query(
      `INSERT INTO monolith.payments (auth_id, order_id, amount_cents, currency, status)
       VALUES ($1, $2, $3, $4, 'AUTHORIZED')`,
      [authId, orderId, amountCents, currency],
    );
    order.paymentAuthId = authId;
    events.push(['PaymentAuthorized', { orderId, authId, amountCents, currency }]);
  }
  events.push(['OrderAccepted', { orderId }]);
  return settledAs(tx, order, 'ACCEPTED', events);
}

function settledAs(
  tx: Queryable,
  order: Order,
  status: OrderStatus,
  events: OutboxEvent[],
): Settled {
  return {
    status,
    columns: {
      status,
      stock_held_by: order.stockHeldBy,
      stock_reservation_id: order.stockReservationId,
      payment_auth_id: order.paymentAuthId,
    },
    async emitAll() {
      for (const [eventType, payload] of events) await emit(tx, order.orderId, eventType, payload);
      if (status === 'ACCEPTED') await notify(tx, order, 'confirmed');
      if (status === 'REJECTED') await notify(tx, order, 'rejected');
    },
  };
}

/** Locks the order's row (and reads its lines); 404 when unknown, 409 when not in `allowed`. */
async function lockOrder(
  tx: Queryable,
  orderId: string,
  allowed: OrderStatus[] | null,
  action: string,
): Promise<Order> {
  const { rows } = await tx.query<Omit<Order, 'lines'>>(
    `SELECT order_id AS "orderId", status, total_cents AS "totalCents", currency,
            payment_auth_id AS "paymentAuthId", handed_over AS "handedOver",
            stock_held_by AS "stockHeldBy", stock_reservation_id AS "stockReservationId",
            shipment_id AS "shipmentId", ended_reason AS "endedReason"
     FROM monolith.orders WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  const found = rows[0];
  if (!found) throw problem('not-found', `no order ${orderId}`);
  if (allowed) assertStatus({ ...found, lines: [] }, allowed, action);
  const { rows: lines } = await tx.query<OrderLine>(
    `SELECT sku, quantity, unit_price_cents AS "unitPriceCents"
     FROM monolith.order_lines WHERE order_id = $1 ORDER BY line_no`,
    [orderId],
  );
  return { ...found, lines };
}

/** Every update of an order bumps its version and updated_at (the adapter's mirror relies on it). */
async function updateOrder(
  tx: Queryable,
  orderId: string,
  columns: Record<string, unknown>,
): Promise<void> {
  const names = Object.keys(columns);
  const set = names.map((name, i) => `${name} = $${i + 2}`).join(', ');
  await tx.query(
    `UPDATE monolith.orders SET ${set}, version = version + 1, updated_at = now()
     WHERE order_id = $1`,
    [orderId, ...Object.values(columns)],
  );
}

/** An outbox row, written in the caller's transaction: the change and its event commit together. */
async function emit(
  tx: Queryable,
  orderId: string,
  eventType: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    'INSERT INTO monolith.outbox (aggregate_id, event_type, payload) VALUES ($1, $2, $3)',
    [orderId, eventType, JSON.stringify(payload)],
  );
}

const ORDER_VIEW = `
  SELECT o.order_id AS "orderId", o.customer_id AS "customerId", o.status,
         o.fraud_decision AS "fraudDecision", o.fraud_decided_by AS "fraudDecidedBy",
         o.fraud_score AS "fraudScore", o.total_cents AS "totalCents", o.currency,
         o.expedited, o.payment_auth_id AS "paymentAuthId", o.version,
         o.handed_over AS "handedOver", o.stock_held_by AS "stockHeldBy",
         o.stock_reservation_id AS "stockReservationId", o.shipment_id AS "shipmentId",
         o.ended_reason AS "endedReason", o.created_at AS "createdAt", o.updated_at AS "updatedAt",
         (SELECT json_agg(json_build_object('lineNo', l.line_no, 'sku', l.sku,
                   'quantity', l.quantity, 'unitPriceCents', l.unit_price_cents) ORDER BY l.line_no)
          FROM monolith.order_lines l WHERE l.order_id = o.order_id) AS lines,
         (SELECT json_build_object('authId', p.auth_id, 'amountCents', p.amount_cents,
                   'currency', p.currency, 'status', p.status, 'heldBy', p.held_by)
          FROM monolith.payments p WHERE p.auth_id = o.payment_auth_id) AS payment,
         (SELECT coalesce(json_agg(json_build_object('kind', n.kind, 'sentBy', n.sent_by,
                   'reference', n.reference) ORDER BY n.sent_at, n.kind), '[]'::json)
          FROM monolith.notifications n WHERE n.order_id = o.order_id) AS notifications
  FROM monolith.orders o WHERE o.order_id = $1`;
