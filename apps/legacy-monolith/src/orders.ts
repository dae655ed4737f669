/**
 * The monolith's order flow, the old synchronous way: placing an order prices it from the
 * monolith's own price list (never from the request), decides fraud, takes stock and
 * authorizes payment in ONE transaction, and every change writes its outbox events in
 * that same transaction (so the legacy adapter never sees a change without its event, nor an
 * event without its change). With `deferToPlatform` the order waits in PENDING_FRAUD until the
 * platform posts its decision, then continues exactly as the rule would have. Every order change
 * locks the order's row first (then stock rows), so two requests on one order serialise.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db';
import { applyFraudRule, loadFraudSettings } from './fraud';
import { Input, ok, problem, route, type Route } from './http';
import type { Log } from './log';
import { priceOrder } from './products';
import { MAX_INT, mergeLines, putBackStock, takeStock } from './stock';

type OrderStatus =
  'PENDING_FRAUD' | 'ACCEPTED' | 'REJECTED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

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
        const outcome = outcomeOf(fraud);
        await settleFraud(tx, order, fraud, outcome);
        await updateOrder(tx, order.orderId, {
          status: outcome.status,
          fraud_decision: fraud.decision,
          fraud_decided_by: fraud.decidedBy,
          fraud_score: fraud.score,
          payment_auth_id: outcome.paymentAuthId,
        });
        return outcome.status;
      });
      return ok(changed(params.id!, status, 'external fraud decision applied', { reference }));
    }),
    route('POST', '/orders/:id/ship', async ({ params }) => {
      await db.transaction(async (tx) => {
        const order = await lockOrder(tx, params.id!, ['ACCEPTED'], 'ship');
        await updateOrder(tx, order.orderId, { status: 'SHIPPED' });
        await emit(tx, order.orderId, 'OrderShipped', { orderId: order.orderId });
      });
      return ok(changed(params.id!, 'SHIPPED', 'order shipped'));
    }),
    route('POST', '/orders/:id/deliver', async ({ params }) => {
      await db.transaction(async (tx) => {
        const order = await lockOrder(tx, params.id!, ['SHIPPED'], 'deliver');
        const { orderId, paymentAuthId: authId } = order;
        const { rows } = await tx.query<{ amount_cents: number }>(
          `UPDATE monolith.payments SET status = 'CAPTURED', updated_at = now()
           WHERE auth_id = $1 RETURNING amount_cents`,
          [authId],
        );
        await updateOrder(tx, orderId, { status: 'DELIVERED' });
        const amountCents = rows[0]?.amount_cents;
        await emit(tx, orderId, 'PaymentCaptured', { orderId, authId, amountCents });
        await emit(tx, orderId, 'OrderDelivered', { orderId });
      });
      return ok(changed(params.id!, 'DELIVERED', 'order delivered'));
    }),
    route('POST', '/orders/:id/cancel', async ({ params, body }) => {
      const reason = Input.of(body).string('reason');
      await db.transaction(async (tx) => {
        const order = await lockOrder(tx, params.id!, ['PENDING_FRAUD', 'ACCEPTED'], 'cancel');
        const { orderId, paymentAuthId: authId } = order;
        await updateOrder(tx, orderId, { status: 'CANCELLED' });
        await emit(tx, orderId, 'OrderCancelled', { orderId, reason });
        // An order still waiting for its fraud decision holds neither stock nor payment.
        if (order.status !== 'ACCEPTED') return;
        const lines = mergeLines(order.lines);
        await putBackStock(tx, lines);
        await emit(tx, orderId, 'StockReleased', { orderId, lines });
        await tx.query(
          `UPDATE monolith.payments SET status = 'VOIDED', updated_at = now() WHERE auth_id = $1`,
          [authId],
        );
        await emit(tx, orderId, 'PaymentVoided', { orderId, authId });
      });
      return ok(changed(params.id!, 'CANCELLED', 'order cancelled'));
    }),
  ];
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
  const fraud: FraudDecision | undefined = settings.deferToPlatform
    ? undefined
    : { ...applyFraudRule(settings, customerId, totalCents), decidedBy: 'rules' };
  const outcome = fraud
    ? outcomeOf(fraud)
    : { status: 'PENDING_FRAUD' as const, paymentAuthId: null };
  // The row is written once, with its final columns, before the events: its lines reference it.
  // ON CONFLICT waits for a concurrent insert of the same id to commit, then finds it there.
  const { rowCount } = await tx.query(
    `INSERT INTO monolith.orders (order_id, customer_id, status, fraud_decision, fraud_decided_by,
       fraud_score, total_cents, currency, payment_auth_id, expedited)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (order_id) DO NOTHING`,
    [
      orderId,
      customerId,
      outcome.status,
      fraud?.decision ?? null,
      fraud?.decidedBy ?? null,
      fraud?.score ?? null,
      totalCents,
      currency,
      outcome.paymentAuthId,
      expedited,
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
  // ended.
  await emit(tx, orderId, 'OrderPlaced', {
    orderId,
    customerId,
    lines,
    totalCents,
    currency,
    expedited,
    status: 'PENDING_FRAUD',
  });
  if (fraud) await settleFraud(tx, { orderId, totalCents, currency, lines }, fraud, outcome);
  return outcome.status;
}

interface Outcome {
  status: OrderStatus;
  paymentAuthId: string | null;
}

/** What a fraud decision leads to: accepted with a new payment authorization, or rejected. */
function outcomeOf(fraud: FraudDecision): Outcome {
  return fraud.decision === 'APPROVED'
    ? { status: 'ACCEPTED', paymentAuthId: `auth-${randomUUID()}` }
    : { status: 'REJECTED', paymentAuthId: null };
}

/**
 * Everything after the fraud decision, its events in order: FraudDecided, then OrderRejected,
 * or StockReserved, PaymentAuthorized and OrderAccepted. Out of stock throws, rolling the
 * caller's whole transaction back. The caller writes the order row.
 */
async function settleFraud(
  tx: Queryable,
  order: Pick<Order, 'orderId' | 'totalCents' | 'currency' | 'lines'>,
  fraud: FraudDecision,
  { paymentAuthId: authId }: Outcome,
): Promise<void> {
  const { orderId, totalCents: amountCents, currency } = order;
  const { decision, decidedBy, score } = fraud;
  await emit(tx, orderId, 'FraudDecided', { orderId, decision, decidedBy, score });
  if (!authId) {
    await emit(tx, orderId, 'OrderRejected', { orderId, reason: fraud.reason });
    return;
  }
  const lines = mergeLines(order.lines);
  await takeStock(tx, lines);
  await emit(tx, orderId, 'StockReserved', { orderId, lines });
  await tx.query(
    `INSERT INTO monolith.payments (auth_id, order_id, amount_cents, currency, status)
     VALUES ($1, $2, $3, $4, 'AUTHORIZED')`,
    [authId, orderId, amountCents, currency],
  );
  await emit(tx, orderId, 'PaymentAuthorized', { orderId, authId, amountCents, currency });
  await emit(tx, orderId, 'OrderAccepted', { orderId });
}

/** Locks the order's row (and reads its lines); 404 when unknown, 409 when not in `allowed`. */
async function lockOrder(
  tx: Queryable,
  orderId: string,
  allowed: OrderStatus[],
  action: string,
): Promise<Order> {
  const { rows } = await tx.query<Omit<Order, 'lines'>>(
    `SELECT order_id AS "orderId", status, total_cents AS "totalCents", currency,
            payment_auth_id AS "paymentAuthId"
     FROM monolith.orders WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  const order = rows[0];
  if (!order) throw problem('not-found', `no order ${orderId}`);
  if (!allowed.includes(order.status)) {
    throw problem(
      'invalid-transition',
      `cannot ${action} order ${orderId}: it is ${order.status}`,
      {
        orderStatus: order.status,
      },
    );
  }
  const { rows: lines } = await tx.query<OrderLine>(
    `SELECT sku, quantity, unit_price_cents AS "unitPriceCents"
     FROM monolith.order_lines WHERE order_id = $1 ORDER BY line_no`,
    [orderId],
  );
  return { ...order, lines };
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
         o.created_at AS "createdAt", o.updated_at AS "updatedAt",
         (SELECT json_agg(json_build_object('lineNo', l.line_no, 'sku', l.sku,
                   'quantity', l.quantity, 'unitPriceCents', l.unit_price_cents) ORDER BY l.line_no)
          FROM monolith.order_lines l WHERE l.order_id = o.order_id) AS lines,
         (SELECT json_build_object('authId', p.auth_id, 'amountCents', p.amount_cents,
                   'currency', p.currency, 'status', p.status)
          FROM monolith.payments p WHERE p.auth_id = o.payment_auth_id) AS payment
  FROM monolith.orders o WHERE o.order_id = $1`;
