/**
 * The reconciliation workflow's activities: which orders to look at (the read model), what the
 * outside world holds for each, the repairs (through the same idempotent downstream calls as
 * the saga, keyed by what they repair so a re-run never repeats one), and the record: every
 * repair audited, every exception queued for an operator, each at most once per subject.
 */
import type { DataSource } from 'typeorm';
import type { Finding, OrderStatusView } from '@order-platform/domain';
import { recordOperatorAction } from '@order-platform/runtime';
import { asActivity } from './port-activity';
import type { InventoryPort } from './inventory/inventory.port';
import type { PaymentPort } from './payment/payment.port';
import type { HoldingsPort } from './reconciliation/holdings.port';

export interface ReconciliationDependencies {
  db: DataSource;
  holdings: HoldingsPort;
  payment: PaymentPort;
  inventory: InventoryPort;
}

export interface OrdersPage {
  orderId?: string;
  /** Orders placed in [from, to). */
  from?: string;
  to?: string;
  /** Keyset position: orders after this one (placed_at, order_id). */
  after?: { placedAt: string; orderId: string };
  limit: number;
}

export function createReconciliationActivities(deps: ReconciliationDependencies) {
  return {
    async ordersToReconcile(page: OrdersPage): Promise<OrderStatusView[]> {
      const conditions: string[] = [];
      const parameters: unknown[] = [];
      const param = (value: unknown): string => `$${parameters.push(value)}`;
      if (page.orderId) conditions.push(`order_id = ${param(page.orderId)}`);
      if (page.from) conditions.push(`placed_at >= ${param(page.from)}`);
      if (page.to) conditions.push(`placed_at < ${param(page.to)}`);
      if (page.after) {
        conditions.push(
          `(placed_at, order_id) > (${param(page.after.placedAt)}::timestamptz, ${param(page.after.orderId)})`,
        );
      }
      const rows: { view: OrderStatusView }[] = await deps.db.query(
        `SELECT view FROM order_status
          ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
          ORDER BY placed_at, order_id LIMIT ${Number(page.limit)}`,
        parameters,
      );
      return rows.map((row) => row.view);
    },

    async inspectHoldings(input: { orderId: string }) {
      return asActivity(async () => ({
        ledger: await deps.holdings.ledgerOf(input.orderId),
        reservations: await deps.holdings.reservationsOf(input.orderId),
      }));
    },

    /** Repairs a safe difference, then records it as repaired and audits the action. */
    async repair(input: { runId: string; finding: Finding }): Promise<void> {
      const { finding } = input;
      const repair = finding.repair;
      if (!repair) throw new Error(`finding ${finding.kind}/${finding.subject} has no repair`);
      await asActivity(() =>
        repair.type === 'void-authorization'
          ? deps.payment.void({
              idempotencyKey: `reconciliation/void/${repair.authorizationId}`,
              authorizationId: repair.authorizationId,
            })
          : deps.inventory.release({
              idempotencyKey: `reconciliation/release/${repair.reservationId}`,
              reservationId: repair.reservationId,
            }),
      );
      await deps.db.transaction(async (tx) => {
        const inserted: unknown[] = await tx.query(
          `INSERT INTO reconciliation_finding (order_id, kind, subject, detail, repair, status, run_id)
           VALUES ($1, $2, $3, $4, $5::jsonb, 'repaired', $6)
           ON CONFLICT (order_id, kind, subject) DO NOTHING RETURNING id`,
          [
            finding.orderId,
            finding.kind,
            finding.subject,
            finding.detail,
            JSON.stringify(repair),
            input.runId,
          ],
        );
        if (inserted.length === 0) return;
        await recordOperatorAction(tx, {
          operatorId: 'reconciliation',
          action: repair.type,
          subject: finding.orderId,
          details: { ...finding, runId: input.runId },
        });
      });
    },

    /** Queues a difference that needs a person; a re-run finds it already queued. */
    async recordException(input: {
      runId: string;
      finding: Finding;
    }): Promise<{ queued: boolean }> {
      const { finding } = input;
      const inserted: unknown[] = await deps.db.query(
        `INSERT INTO reconciliation_finding (order_id, kind, subject, detail, status, run_id)
         VALUES ($1, $2, $3, $4, 'open', $5)
         ON CONFLICT (order_id, kind, subject) DO NOTHING RETURNING id`,
        [finding.orderId, finding.kind, finding.subject, finding.detail, input.runId],
      );
      return { queued: inserted.length > 0 };
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
