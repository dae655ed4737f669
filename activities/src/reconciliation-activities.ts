/**
 * The reconciliation workflow's activities: which orders to look at (the read model), what the
 * outside world holds for each, the repairs (through the same idempotent downstream calls as
 * the saga, keyed by what they repair so a re-run never repeats one), and the record: every
 * repair audited, every exception queued for an operator, each at most once per subject.
 */
import { Context } from '@temporalio/activity';
import type { Finding, OrderStatusView, ReconciliationGrace } from '@order-platform/domain';
import type {
  OrderStatusStore,
  ReconciliationFindingStore,
  ReconciliationPage,
} from '@order-platform/stores';
import { asActivity } from './port-activity';
import type { InventoryPort } from './inventory/inventory.port';
import type { PaymentPort } from './payment/payment.port';
import type { HoldingsPort } from './reconciliation/holdings.port';

export interface ReconciliationDependencies {
  orders: Pick<OrderStatusStore, 'viewsToReconcile'>;
  findings: Pick<ReconciliationFindingStore, 'recordRepaired' | 'recordException'>;
  holdings: HoldingsPort;
  payment: PaymentPort;
  inventory: InventoryPort;
  /** The shortest grace this worker's step timeouts allow (domain `reconciliationMinimumGrace`). */
  minimumGrace: () => ReconciliationGrace;
}

/** Orders by id or placed in [from, to), keyset-paged by (placed_at, order_id). */
export type OrdersPage = ReconciliationPage;

export function createReconciliationActivities(deps: ReconciliationDependencies) {
  const holdingsOf = async (orderId: string) => ({
    ledger: await deps.holdings.ledgerOf(orderId),
    reservations: await deps.holdings.reservationsOf(orderId),
  });
  return {
    /** The worker's minimum grace, so a run started anywhere judges with the worker's timeouts. */
    async minimumGrace(): Promise<ReconciliationGrace> {
      return deps.minimumGrace();
    },

    async ordersToReconcile(page: OrdersPage): Promise<OrderStatusView[]> {
      return deps.orders.viewsToReconcile(page);
    },

    async inspectHoldings(input: { orderId: string }) {
      return asActivity(async () => holdingsOf(input.orderId));
    },

    /**
     * A page's holdings in one activity, `pauseMs` apart (the run's pace), heartbeating after
     * each order: one round trip through Temporal per page instead of an activity and a timer
     * per order, which held a run to about an order a second on the dev server. Read-only, so
     * a retry starts the page again.
     */
    async inspectHoldingsOfPage(input: { orderIds: string[]; pauseMs: number }) {
      const context = Context.current();
      const holdings: Awaited<ReturnType<typeof holdingsOf>>[] = [];
      for (const [i, orderId] of input.orderIds.entries()) {
        if (i > 0) await context.sleep(input.pauseMs);
        holdings.push(await asActivity(() => holdingsOf(orderId)));
        context.heartbeat(i);
      }
      return holdings;
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
      await deps.findings.recordRepaired(input.runId, finding);
    },

    /** Queues a difference that needs a person; a re-run finds it already queued. */
    async recordException(input: {
      runId: string;
      finding: Finding;
    }): Promise<{ queued: boolean }> {
      return { queued: await deps.findings.recordException(input.runId, input.finding) };
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
