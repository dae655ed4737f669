/**
 * The reconciliation workflow's activities: which orders to look at (the read model), what the
 * outside world holds for each, the repairs (through the same idempotent downstream calls as
 * the saga, keyed by what they repair so a re-run never repeats one), and the record: every
 * repair audited, every exception queued for an operator, each at most once per subject.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  Finding,
  LedgerRecord,
  OrderStatusView,
  ReconciliationGrace,
  WarehouseReservation,
} from '@order-platform/domain';
import type {
  OrderStatusStore,
  ReconciliationFindingStore,
  ReconciliationPage,
} from '@order-platform/stores';
import { asActivity } from './port-activity';
import { jitteredDelayMs } from './retry';
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

/** What the ledger and the warehouse hold for one order. */
export interface Holdings {
  ledger: LedgerRecord[];
  reservations: WarehouseReservation[];
}

/** Orders by id or placed in [from, to), keyset-paged by (placed_at, order_id). */
export type OrdersPage = ReconciliationPage;

/** How often one order's holdings are read within one attempt of a page before it fails. */
export const TRIES_PER_ORDER = 3;

/** What an earlier attempt of the page heartbeated, if it looks like it; else nothing. */
function readSoFar<T>(details: unknown, pageLength: number): T[] {
  return Array.isArray(details) && details.length <= pageLength ? [...(details as T[])] : [];
}

/**
 * `read` as an activity step, tried again after a jittered pause while it fails transiently;
 * `alive` heartbeats between tries (each may take a downstream timeout).
 */
async function triedInPlace<T>(
  context: Context,
  read: () => Promise<T>,
  alive: () => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await asActivity(read);
    } catch (error) {
      const forGood = !(error instanceof ApplicationFailure) || error.nonRetryable;
      if (forGood || attempt >= TRIES_PER_ORDER) throw error;
      alive();
      await context.sleep(jitteredDelayMs(attempt));
    }
  }
}

export function createReconciliationActivities(deps: ReconciliationDependencies) {
  const holdingsOf = async (orderId: string): Promise<Holdings> => ({
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
      return asActivity(() => holdingsOf(input.orderId));
    },

    /**
     * A page's holdings in one activity, `pauseMs` apart (the run's pace), heartbeating what it
     * has read after each order: one round trip through Temporal per page instead of an
     * activity and a timer per order, which held a run to about an order a second on the dev
     * server. An order whose downstream fails transiently is tried again in place
     * (`TRIES_PER_ORDER`, jittered), and a retry of the page goes on from the last heartbeat,
     * so a flaky downstream spends the page's attempts no faster than an activity per order did.
     */
    async inspectHoldingsOfPage(input: { orderIds: string[]; pauseMs: number }) {
      const context = Context.current();
      const holdings = readSoFar<Holdings>(context.info.heartbeatDetails, input.orderIds.length);
      for (let i = holdings.length; i < input.orderIds.length; i++) {
        if (i > 0) await context.sleep(input.pauseMs);
        // A copy: the details may be encoded after this array has grown.
        const alive = () => context.heartbeat([...holdings]);
        holdings.push(await triedInPlace(context, () => holdingsOf(input.orderIds[i]!), alive));
        alive();
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
