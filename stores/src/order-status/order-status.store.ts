/**
 * Reads of the order status read model (`order_status`, projected by the workflows), joined with
 * the admitted submissions no worker has projected yet: a customer's orders (every read scoped
 * by the customer, so another customer's order is simply not found), the open orders operators
 * look at, the backlog by stage, and the pages reconciliation walks through.
 */
import type { DataSource } from 'typeorm';
import {
  type CustomerStatus,
  type OrderStage,
  type OrderStatusView,
  type PlacedOrder,
  TERMINAL_STAGES,
} from '@order-platform/domain';
import { preparedQuery } from '../connection';
import { OrderStatusRecord } from './order-status.entity';

/** A page position: the last order's placedAt and id (newest first, id breaks ties). */
export interface Cursor {
  placedAt: string;
  orderId: string;
}

export interface StoredOrder {
  /** The projected view, or the admitted order when no projection has arrived yet. */
  view?: OrderStatusView;
  placedOrder?: PlacedOrder;
  /** For a submission without a projection: how its intake ended, if it never started. */
  neverStarted?: { outcome: 'expired' | 'cancelled'; at: string };
  placedAt: string;
  orderId: string;
}

export interface OpenOrder {
  orderId: string;
  customerId: string;
  workflowId: string;
  stage: OrderStage;
  stageEnteredAt: Date;
  stageDeadline: Date | null;
  /** By the database's clock; 0 when the deadline has not passed (or there is none). */
  overdueSeconds: number;
  needsAttention: string | null;
  expedited: boolean;
  /** Where a page ending with this order ends. */
  cursor: OpenOrderCursor;
}

/** A return that is still open (waiting for its parcel, or back and not yet refunded). */
export interface OpenReturn {
  orderId: string;
  customerId: string;
  workflowId: string;
  returnId: string;
  state: 'authorized' | 'received';
  lines: { sku: string; quantity: number; refundMinor: number }[];
  requestedAt: Date;
  parcelDueBy: Date;
  /** By the database's clock; 0 while the parcel is not yet due. */
  overdueSeconds: number;
  needsAttention: string | null;
}

/** A page position in the open returns: the last one's due time and id. */
export interface ReturnCursor {
  parcelDueBy: string;
  returnId: string;
}

/** One open stage's backlog, ages in seconds by the database's clock. */
export interface StageBacklogRow {
  stage: OrderStage;
  count: number;
  oldest: number;
  p50: number;
  p95: number;
  overdue: number;
  as_of: Date;
}

export interface ReconciliationPage {
  orderId?: string;
  /** Orders placed in [from, to). */
  from?: string;
  to?: string;
  /** Keyset position: orders after this one (placed_at, order_id). */
  after?: { placedAt: string; orderId: string };
  limit: number;
}

const TERMINAL_LIST = TERMINAL_STAGES.map((stage) => `'${stage}'`).join(', ');

// SQL by hand: a UNION ALL with an anti-join, filtered and keyset-paged over both halves.
// A submission that never started reads as the domain's unstartedOrderView says: REJECTED when
// it expired, CANCELLED when the customer cancelled it.
const CUSTOMER_ORDERS_SQL = (condition: string, limit: number) => `
  SELECT order_id, placed_at, view, placed_order, start_state, ended_at FROM (
    SELECT o.order_id, o.placed_at, o.customer_status, o.view, NULL::jsonb AS placed_order,
           NULL::text AS start_state, NULL::timestamptz AS ended_at
      FROM order_status o WHERE o.customer_id = $1
    UNION ALL
    SELECT s.order_id, s.placed_at,
           CASE s.start_state WHEN 'expired' THEN 'REJECTED' WHEN 'cancelled' THEN 'CANCELLED'
                ELSE 'RECEIVED' END,
           NULL::jsonb, s.placed_order, s.start_state, s.ended_at
      FROM order_submission s
     WHERE s.customer_id = $1
       AND NOT EXISTS (SELECT 1 FROM order_status o WHERE o.order_id = s.order_id)
  ) orders
  WHERE true ${condition}
  ORDER BY placed_at DESC, order_id DESC
  LIMIT ${Number(limit)}`;

// SQL by hand: one order of one customer, as CUSTOMER_ORDERS_SQL would find it but without the
// union and its sort: two primary-key lookups in one statement, the submission only when the
// order has no projection (whoever's it is, as the anti-join above), then the customer checked.
// A prepared statement (FIND_CUSTOMER_ORDER): the status read is the hottest query there is.
const FIND_CUSTOMER_ORDER_SQL = `
  SELECT k.order_id, coalesce(o.placed_at, s.placed_at) AS placed_at, o.view,
         s.placed_order, s.start_state, s.ended_at
    FROM (SELECT $2::text AS order_id) k
    LEFT JOIN order_status o ON o.order_id = k.order_id
    LEFT JOIN order_submission s ON o.order_id IS NULL AND s.order_id = k.order_id
   WHERE o.customer_id = $1 OR s.customer_id = $1`;
const FIND_CUSTOMER_ORDER = 'order-status:find-customer-order';

// SQL by hand: percentiles over a union. Submissions younger than a day without a read-model
// row are admitted, not yet projected; older ones would have been projected or reconciled, and
// the window keeps the anti-join small.
const BACKLOG_SQL = `
  WITH open_orders AS (
    SELECT stage, stage_entered_at AS entered_at, stage_deadline AS deadline
      FROM order_status
     WHERE stage NOT IN (${TERMINAL_LIST})
    UNION ALL
    SELECT 'AcceptedForProcessing', s.placed_at, NULL
      FROM order_submission s
     WHERE s.placed_at > now() - interval '1 day'
       AND s.start_state IN ('pending', 'started', 'failed')
       AND NOT EXISTS (SELECT 1 FROM order_status o WHERE o.order_id = s.order_id)
  )
  SELECT stage,
         count(*)::int AS count,
         extract(epoch FROM now() - min(entered_at))::float8 AS oldest,
         extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY now() - entered_at))::float8 AS p50,
         extract(epoch FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY now() - entered_at))::float8 AS p95,
         (count(*) FILTER (WHERE deadline < now()))::int AS overdue,
         now() AS as_of
    FROM open_orders
   GROUP BY stage`;

/** Where a page of open orders ends (the order sort: time in stage, then id). */
export interface OpenOrderCursor {
  stageEnteredAt: string;
  orderId: string;
}

export class OrderStatusStore {
  constructor(private readonly db: DataSource) {}

  async findCustomerOrder(customerId: string, orderId: string): Promise<StoredOrder | undefined> {
    const [row] = await preparedQuery<CustomerOrderRow>(
      this.db,
      FIND_CUSTOMER_ORDER,
      FIND_CUSTOMER_ORDER_SQL,
      [customerId, orderId],
    );
    return row && storedOrderOf(row);
  }

  /** A customer's orders, newest first, projected or only admitted (as RECEIVED). */
  listCustomerOrders(
    customerId: string,
    options: { status?: CustomerStatus; limit: number; after?: Cursor },
  ): Promise<StoredOrder[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (options.status) {
      parameters.push(options.status);
      conditions.push(`AND customer_status = $${parameters.length + 1}`);
    }
    if (options.after) {
      parameters.push(options.after.placedAt, options.after.orderId);
      conditions.push(
        `AND (placed_at, order_id) < ($${parameters.length}::timestamptz, $${parameters.length + 1})`,
      );
    }
    return this.customerOrders(customerId, conditions.join(' '), parameters, options.limit);
  }

  /** The order's status view as last projected, whoever its customer; undefined without one. */
  async viewOf(orderId: string): Promise<OrderStatusView | undefined> {
    const record = await this.db
      .getRepository(OrderStatusRecord)
      .findOne({ select: { orderId: true, view: true }, where: { orderId } });
    return record?.view;
  }

  /** The order's stage as last projected; undefined when it has no projection. */
  async stageOf(orderId: string): Promise<OrderStage | undefined> {
    const record = await this.db
      .getRepository(OrderStatusRecord)
      .findOne({ select: { stage: true }, where: { orderId } });
    return record?.stage;
  }

  /** Orders not yet in a terminal stage, longest in their stage first. */
  async openOrders(query: {
    stage?: OrderStage;
    overdue?: boolean;
    /** Only orders at least this long in their stage. */
    minAgeSeconds?: number;
    /** Only orders whose needs_attention starts with this (taken literally, % and _ too). */
    attentionPrefix?: string;
    limit: number;
    /** The last order of the previous page: this page starts after it. */
    after?: OpenOrderCursor;
  }): Promise<OpenOrder[]> {
    const parameters: unknown[] = [];
    let where = `stage NOT IN (${TERMINAL_LIST})`;
    if (query.stage) {
      parameters.push(query.stage);
      where += ` AND stage = $${parameters.length}`;
    }
    if (query.overdue) where += ' AND stage_deadline < now()';
    if (query.minAgeSeconds !== undefined) {
      parameters.push(query.minAgeSeconds);
      where += ` AND stage_entered_at <= now() - make_interval(secs => $${parameters.length})`;
    }
    if (query.attentionPrefix !== undefined) {
      parameters.push(`${query.attentionPrefix.replace(/[\\%_]/g, '\\$&')}%`);
      where += ` AND needs_attention LIKE $${parameters.length}`;
    }
    if (query.after) {
      parameters.push(query.after.stageEnteredAt, query.after.orderId);
      where += ` AND (stage_entered_at, order_id) > ($${parameters.length - 1}::timestamptz, $${parameters.length})`;
    }
    // SQL by hand: how overdue, by the database's clock, computed in the query.
    const rows: {
      order_id: string;
      customer_id: string;
      workflow_id: string;
      stage: OrderStage;
      stage_entered_at: Date;
      stage_deadline: Date | null;
      overdue_seconds: number | null;
      needs_attention: string | null;
      expedited: boolean;
      cursor_at: string;
    }[] = await this.db.query(
      // cursor_at: the time to the microsecond (a JS Date keeps milliseconds), so a page never
      // starts with the last order of the one before.
      `SELECT order_id, customer_id, workflow_id, stage, stage_entered_at, stage_deadline,
              to_char(stage_entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
              greatest(0, extract(epoch FROM now() - stage_deadline))::float8 AS overdue_seconds,
              needs_attention, expedited
         FROM order_status WHERE ${where}
        ORDER BY stage_entered_at ASC, order_id
        LIMIT ${Number(query.limit)}`,
      parameters,
    );
    return rows.map((row) => ({
      orderId: row.order_id,
      customerId: row.customer_id,
      workflowId: row.workflow_id,
      stage: row.stage,
      stageEnteredAt: row.stage_entered_at,
      stageDeadline: row.stage_deadline,
      overdueSeconds: row.overdue_seconds ?? 0,
      needsAttention: row.needs_attention,
      expedited: row.expedited,
      cursor: { stageEnteredAt: row.cursor_at, orderId: row.order_id },
    }));
  }

  /**
   * Open returns, the earliest due first, from the returns each order's view carries: one row per
   * return, so an order with two open returns is listed twice. SQL by hand: a lateral join over
   * the view's JSON array, and how overdue by the database's clock. Its first condition is the
   * predicate of the partial index `order_status_with_returns_idx`: only orders with returns are
   * read.
   */
  async openReturns(query: {
    overdue?: boolean;
    limit: number;
    after?: ReturnCursor;
  }): Promise<OpenReturn[]> {
    const parameters: unknown[] = [];
    let where = `jsonb_typeof(o.view->'returns') = 'array' AND r->>'state' IN ('authorized', 'received')`;
    if (query.overdue) where += ` AND (r->>'parcelDueBy')::timestamptz < now()`;
    if (query.after) {
      parameters.push(query.after.parcelDueBy, query.after.returnId);
      where += ` AND ((r->>'parcelDueBy')::timestamptz, r->>'returnId') > ($1::timestamptz, $2)`;
    }
    const rows: {
      order_id: string;
      customer_id: string;
      workflow_id: string;
      needs_attention: string | null;
      r: {
        returnId: string;
        state: 'authorized' | 'received';
        lines: OpenReturn['lines'];
        requestedAt: string;
        parcelDueBy: string;
      };
      overdue_seconds: number;
    }[] = await this.db.query(
      `SELECT o.order_id, o.customer_id, o.workflow_id, o.needs_attention, r,
              greatest(0, extract(epoch FROM now() - (r->>'parcelDueBy')::timestamptz))::float8
                AS overdue_seconds
         FROM order_status o CROSS JOIN LATERAL jsonb_array_elements(o.view->'returns') r
        WHERE ${where}
        ORDER BY (r->>'parcelDueBy')::timestamptz, r->>'returnId'
        LIMIT ${Number(query.limit)}`,
      parameters,
    );
    return rows.map((row) => ({
      orderId: row.order_id,
      customerId: row.customer_id,
      workflowId: row.workflow_id,
      returnId: row.r.returnId,
      state: row.r.state,
      lines: row.r.lines,
      requestedAt: new Date(row.r.requestedAt),
      parcelDueBy: new Date(row.r.parcelDueBy),
      overdueSeconds: row.overdue_seconds,
      needsAttention: row.needs_attention,
    }));
  }

  /** Per open stage with orders in it: how many, how old, how many past the deadline. */
  backlog(): Promise<StageBacklogRow[]> {
    return this.db.query(BACKLOG_SQL);
  }

  /** The status views of one page of orders, oldest placed first. */
  async viewsToReconcile(page: ReconciliationPage): Promise<OrderStatusView[]> {
    const query = this.db
      .getRepository(OrderStatusRecord)
      .createQueryBuilder('o')
      .select(['o.orderId', 'o.view'])
      .orderBy('o.placedAt', 'ASC')
      .addOrderBy('o.orderId', 'ASC')
      .limit(Number(page.limit));
    if (page.orderId) query.andWhere('o.orderId = :orderId', { orderId: page.orderId });
    if (page.from) query.andWhere('o.placedAt >= :from', { from: page.from });
    if (page.to) query.andWhere('o.placedAt < :to', { to: page.to });
    if (page.after) {
      query.andWhere('(o.placedAt, o.orderId) > (CAST(:afterPlacedAt AS timestamptz), :afterId)', {
        afterPlacedAt: page.after.placedAt,
        afterId: page.after.orderId,
      });
    }
    return (await query.getMany()).map((record) => record.view);
  }

  private async customerOrders(
    customerId: string,
    condition: string,
    parameters: unknown[],
    limit: number,
  ): Promise<StoredOrder[]> {
    const rows: CustomerOrderRow[] = await this.db.query(CUSTOMER_ORDERS_SQL(condition, limit), [
      customerId,
      ...parameters,
    ]);
    return rows.map(storedOrderOf);
  }
}

interface CustomerOrderRow {
  order_id: string;
  placed_at: Date;
  view: OrderStatusView | null;
  placed_order: PlacedOrder | null;
  start_state: string | null;
  ended_at: Date | null;
}

const storedOrderOf = (row: CustomerOrderRow): StoredOrder => ({
  orderId: row.order_id,
  placedAt: row.placed_at.toISOString(),
  ...(row.view ? { view: row.view } : {}),
  ...(row.placed_order ? { placedOrder: row.placed_order } : {}),
  ...((row.start_state === 'expired' || row.start_state === 'cancelled') && row.ended_at
    ? { neverStarted: { outcome: row.start_state, at: row.ended_at.toISOString() } }
    : {}),
});
