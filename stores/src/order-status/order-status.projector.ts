/**
 * Writes the order status read model in PostgreSQL. Projections arrive late, twice or out of
 * order (activity retries, a slow attempt overtaken by a newer one), so each write is one
 * statement that inserts the row or replaces it only with a strictly newer `version`: the
 * database decides under its row lock, and there is no read-then-write race to lose. SQL by
 * hand: TypeORM's upsert has no WHERE on its DO UPDATE, and the version guard is that WHERE.
 * Prepared: every change of every order runs it, so each connection parses and plans it once.
 */
import type { DataSource } from 'typeorm';
import { operatorTasksOf, type OrderStatusView } from '@order-platform/domain';
import { preparedQuery } from '../connection';
import { openOperatorTask } from '../operator-tasks/operator-task.store';

const UPSERT = `
  INSERT INTO order_status (
    order_id, customer_id, workflow_id, stage, customer_status, stage_entered_at,
    stage_deadline, placed_at, total_minor, currency, expedited, needs_attention,
    migration_route, version, view, updated_at
  )
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, now())
  ON CONFLICT (order_id) DO UPDATE SET
    customer_id      = EXCLUDED.customer_id,
    workflow_id      = EXCLUDED.workflow_id,
    stage            = EXCLUDED.stage,
    customer_status  = EXCLUDED.customer_status,
    stage_entered_at = EXCLUDED.stage_entered_at,
    stage_deadline   = EXCLUDED.stage_deadline,
    placed_at        = EXCLUDED.placed_at,
    total_minor      = EXCLUDED.total_minor,
    currency         = EXCLUDED.currency,
    expedited        = EXCLUDED.expedited,
    needs_attention  = EXCLUDED.needs_attention,
    migration_route  = EXCLUDED.migration_route,
    version          = EXCLUDED.version,
    view             = EXCLUDED.view,
    updated_at       = now()
  WHERE order_status.version < EXCLUDED.version
  RETURNING true AS applied`;

/** Fits the activities' `OrderStatusProjector` port. */
export class TypeOrmOrderStatusProjector {
  constructor(private readonly dataSource: DataSource) {}

  /** @returns whether the write was applied (false: a newer version was already stored). */
  async project(view: OrderStatusView): Promise<{ applied: boolean }> {
    // A row for an insert or a newer version, none when the WHERE kept the stored row.
    const written = await preparedQuery(
      this.dataSource,
      'order-status-project',
      UPSERT,
      parameters(view),
    );
    // Whatever the version guard kept: an approval without a screening, a compensation refused
    // for good, is never left without an operator task.
    for (const task of operatorTasksOf(view)) await openOperatorTask(this.dataSource, task);
    return { applied: written.length === 1 };
  }
}

function parameters(view: OrderStatusView): unknown[] {
  return [
    view.orderId,
    view.customerId,
    view.workflowId,
    view.stage,
    view.customer.status,
    view.stageEnteredAt,
    view.stageDeadline,
    view.placedAt,
    view.totalMinor,
    view.currency,
    view.expedited,
    view.needsAttention === '' ? null : view.needsAttention,
    view.migrationRoute,
    view.version,
    JSON.stringify(view),
  ];
}
