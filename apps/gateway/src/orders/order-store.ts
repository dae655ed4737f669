/**
 * The gateway's PostgreSQL reads and writes for customer orders: admitted submissions (the
 * idempotency record) and the read model the workflows project. Every read is scoped by the
 * customer, so another customer's order is simply not found.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type CustomerStatus,
  type OrderStatusView,
  type PlacedOrder,
} from '@order-platform/domain';

export interface Submission {
  orderId: string;
  requestHash: string;
  placedOrder: PlacedOrder;
}

/** A page position: the last order's placedAt and id (newest first, id breaks ties). */
export interface Cursor {
  placedAt: string;
  orderId: string;
}

export interface StoredOrder {
  /** The projected view, or the admitted order when no projection has arrived yet. */
  view?: OrderStatusView;
  placedOrder?: PlacedOrder;
  placedAt: string;
  orderId: string;
}

@Injectable()
export class OrderStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Records the submission unless the customer already used this key; either way returns the
   * submission stored under the key, and whether this call created it.
   */
  async recordSubmission(
    customerId: string,
    idempotencyKey: string,
    candidate: Submission,
  ): Promise<{ created: boolean; submission: Submission }> {
    const inserted: { order_id: string }[] = await this.db.query(
      `INSERT INTO order_submission (order_id, customer_id, idempotency_key, request_hash, placed_order, placed_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (customer_id, idempotency_key) DO NOTHING
       RETURNING order_id`,
      [
        candidate.orderId,
        customerId,
        idempotencyKey,
        candidate.requestHash,
        JSON.stringify(candidate.placedOrder),
        candidate.placedOrder.placedAt,
      ],
    );
    if (inserted.length === 1) return { created: true, submission: candidate };
    const [existing]: { order_id: string; request_hash: string; placed_order: PlacedOrder }[] =
      await this.db.query(
        `SELECT order_id, request_hash, placed_order FROM order_submission
          WHERE customer_id = $1 AND idempotency_key = $2`,
        [customerId, idempotencyKey],
      );
    if (!existing) throw new Error('idempotency record vanished between insert and read');
    return {
      created: false,
      submission: {
        orderId: existing.order_id,
        requestHash: existing.request_hash,
        placedOrder: existing.placed_order,
      },
    };
  }

  async findOrder(customerId: string, orderId: string): Promise<StoredOrder | undefined> {
    const [row] = await this.query(customerId, 'AND order_id = $2', [orderId], 1);
    return row;
  }

  async listOrders(
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
    return this.query(customerId, conditions.join(' '), parameters, options.limit);
  }

  // Projected orders, plus admitted ones no worker has projected yet (as RECEIVED).
  private async query(
    customerId: string,
    condition: string,
    parameters: unknown[],
    limit: number,
  ): Promise<StoredOrder[]> {
    const rows: {
      order_id: string;
      placed_at: Date;
      view: OrderStatusView | null;
      placed_order: PlacedOrder | null;
    }[] = await this.db.query(
      `SELECT order_id, placed_at, view, placed_order FROM (
         SELECT o.order_id, o.placed_at, o.customer_status, o.view, NULL::jsonb AS placed_order
           FROM order_status o WHERE o.customer_id = $1
         UNION ALL
         SELECT s.order_id, s.placed_at, 'RECEIVED', NULL::jsonb, s.placed_order
           FROM order_submission s
          WHERE s.customer_id = $1
            AND NOT EXISTS (SELECT 1 FROM order_status o WHERE o.order_id = s.order_id)
       ) orders
       WHERE true ${condition}
       ORDER BY placed_at DESC, order_id DESC
       LIMIT ${Number(limit)}`,
      [customerId, ...parameters],
    );
    return rows.map((row) => ({
      orderId: row.order_id,
      placedAt: row.placed_at.toISOString(),
      ...(row.view ? { view: row.view } : {}),
      ...(row.placed_order ? { placedOrder: row.placed_order } : {}),
    }));
  }
}
