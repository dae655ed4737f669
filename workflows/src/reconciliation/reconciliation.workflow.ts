/**
 * Reconciliation: walks the orders of a scope (one order, a time window, or the last
 * `lookbackMs` for the scheduled run), compares what each workflow believes with what the
 * payment ledger and the warehouse hold (domain/src/reconciliation.ts), repairs the safe differences
 * and queues the rest for an operator. Paced at `ordersPerSecond` so a large re-run cannot become
 * a backlog of its own; continues as new every few pages so its history stays small. Running it
 * again is harmless: repairs are idempotent and each finding is recorded once.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReconciliationActivities } from '@order-platform/activities';
import {
  type DifferenceKind,
  DOWNSTREAM_REJECTED,
  effectiveGrace,
  type ReconciliationGrace,
  reconcileOrder,
} from '@order-platform/domain';
import { BATCH_STEP } from '../retry-policies';

export const RECONCILIATION_WORKFLOW_TYPE = 'reconciliation';

export interface ReconciliationInput {
  orderId?: string;
  from?: string;
  to?: string;
  /** Instead of from: the window ending when the run starts (the scheduled run). */
  lookbackMs?: number;
  /**
   * Holds younger than this are left alone (the view may not show them yet). Never less than
   * the minimum the worker derives from the order workflow's step timeouts (per kind of hold),
   * which is also the default. Runs started before `grace-minimum-from-step-timeouts`: at least
   * a fixed 20 min; before `grace-at-least-minimum`: as given, default 5 min.
   */
  graceMs?: number;
  /** The pace. Default 20. */
  ordersPerSecond?: number;
  pageSize?: number;
  /** Carried across continue-as-new. */
  progress?: ReconciliationSummary & { after?: { placedAt: string; orderId: string } };
}

export interface ReconciliationSummary {
  /** The grace the run judged with (runs before `grace-minimum-from-step-timeouts` do not say). */
  grace?: ReconciliationGrace;
  inspected: number;
  repaired: number;
  queued: number;
  /** The first findings of the run, for whoever reads its result. */
  examples: {
    orderId: string;
    kind: DifferenceKind;
    subject: string;
    outcome: 'repaired' | 'queued';
  }[];
}

const act = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: BATCH_STEP,
});

/**
 * The most one order may take inside a page's inspection: its tries in place (the activity's
 * `TRIES_PER_ORDER`, 3), each two downstream reads at their 10 s timeout, and the pauses between.
 */
const ORDER_IN_PAGE_WORST_MS = 65_000;

/**
 * A page's inspection runs at the run's pace (50 orders at 1 a second: 50 s), so it heartbeats,
 * and may take as long as its orders' worst case.
 */
const pageActivities = (pageSize: number, pauseMs: number) =>
  proxyActivities<ReconciliationActivities>({
    startToCloseTimeout: pageSize * (pauseMs + ORDER_IN_PAGE_WORST_MS) + 60_000,
    heartbeatTimeout: '30 seconds',
    retry: BATCH_STEP,
  });

/**
 * Patch: the grace is clamped to the minimum in the workflow itself, so a run started directly
 * in Temporal (not through the gateway or the schedule, which check it) cannot void a hold an
 * order is about to record.
 */
const GRACE_AT_LEAST_MINIMUM = 'grace-at-least-minimum';
/** The fixed minimum of runs started under `grace-at-least-minimum` only. */
const FIXED_MINIMUM_GRACE_MS = 20 * 60_000;

/**
 * Patch: the minimum is the worker's, derived from the step timeouts it runs orders with
 * (domain `reconciliationMinimumGrace`), asked once per run so a run started anywhere gets it,
 * and one per kind of hold (an authorization is judged after the payment SLA, a reservation
 * after the reserve call's retry budget), never below the domain's floor.
 */
const GRACE_MINIMUM_FROM_STEP_TIMEOUTS = 'grace-minimum-from-step-timeouts';

/**
 * Patch: a repair the downstream refuses for good (DownstreamRejected, a 4xx) is queued for an
 * operator instead of failing the whole run; older runs fail on it.
 */
const REFUSED_REPAIRS_QUEUED = 'refused-repairs-queued';

/**
 * Patch: a page's holdings are inspected by one activity that keeps the pace itself
 * (`inspectHoldingsOfPage`); older runs inspect each order in an activity of its own and pause
 * on a durable timer after it, two round trips through Temporal per order.
 */
const INSPECT_BY_PAGE = 'inspect-holdings-by-page';

const PAGES_PER_RUN = 20;
const MAX_EXAMPLES = 50;

export async function reconciliation(input: ReconciliationInput): Promise<ReconciliationSummary> {
  const from =
    input.from ??
    (input.lookbackMs ? new Date(Date.now() - input.lookbackMs).toISOString() : undefined);
  const summary: ReconciliationSummary = input.progress ?? {
    inspected: 0,
    repaired: 0,
    queued: 0,
    examples: [],
  };
  let after = input.progress?.after;
  const runId = workflowInfo().workflowId;
  const pause = Math.ceil(1000 / (input.ordersPerSecond ?? 20));
  const refusedRepairsQueued = patched(REFUSED_REPAIRS_QUEUED);
  const inspectByPage = patched(INSPECT_BY_PAGE);
  const pageSize = input.pageSize ?? 50;
  const pageAct = pageActivities(pageSize, pause);
  let graceMs: number | ReconciliationGrace;
  if (patched(GRACE_MINIMUM_FROM_STEP_TIMEOUTS)) {
    graceMs = effectiveGrace(await act.minimumGrace(), input.graceMs);
    summary.grace = graceMs;
  } else if (patched(GRACE_AT_LEAST_MINIMUM)) {
    graceMs = Math.max(input.graceMs ?? FIXED_MINIMUM_GRACE_MS, FIXED_MINIMUM_GRACE_MS);
  } else {
    graceMs = input.graceMs ?? 5 * 60_000;
  }

  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const views = await act.ordersToReconcile({
      orderId: input.orderId,
      from,
      to: input.to,
      after,
      limit: pageSize,
    });
    // A page's holdings are judged as of before they were read: never older than they were.
    const pageReadFrom = new Date().toISOString();
    const pageHoldings =
      inspectByPage && views.length > 0
        ? await pageAct.inspectHoldingsOfPage({
            orderIds: views.map((v) => v.orderId),
            pauseMs: pause,
          })
        : undefined;
    for (const [i, view] of views.entries()) {
      const holdings = pageHoldings
        ? pageHoldings[i]!
        : await act.inspectHoldings({ orderId: view.orderId });
      const findings = reconcileOrder({
        view,
        ...holdings,
        now: pageHoldings ? pageReadFrom : new Date().toISOString(),
        graceMs,
      });
      for (const finding of findings) {
        let outcome: 'repaired' | 'queued' | undefined;
        if (finding.repair) {
          try {
            await act.repair({ runId, finding });
            summary.repaired += 1;
            outcome = 'repaired';
          } catch (error) {
            if (!refusedRepairsQueued || !refusedForGood(error)) throw error;
            // The downstream will not do it: a person settles it, and the run goes on.
            if ((await act.recordException({ runId, finding })).queued) {
              summary.queued += 1;
              outcome = 'queued';
            }
          }
        } else if ((await act.recordException({ runId, finding })).queued) {
          summary.queued += 1;
          outcome = 'queued';
        }
        if (outcome && summary.examples.length < MAX_EXAMPLES) {
          summary.examples.push({
            orderId: finding.orderId,
            kind: finding.kind,
            subject: finding.subject,
            outcome,
          });
        }
      }
      summary.inspected += 1;
      after = { placedAt: view.placedAt, orderId: view.orderId };
      if (!inspectByPage) await sleep(pause);
    }
    if (views.length < pageSize) return summary;
  }
  return continueAsNew<typeof reconciliation>({ ...input, from, progress: { ...summary, after } });
}

const refusedForGood = (error: unknown): boolean =>
  error instanceof ActivityFailure &&
  error.cause instanceof ApplicationFailure &&
  error.cause.type === DOWNSTREAM_REJECTED;
