/**
 * What the Black Friday scenario's operator does once the fraud provider is back: decides the
 * manual reviews of the scenario's orders, waits for the backlog to drain, and runs a
 * reconciliation over the scenario's window.
 */
import { type ScenarioClient, sleep } from './black-friday-client';
import { isOpen, type OrderRecord } from './black-friday-load';

/** The operator catches up on manual reviews once the provider is back: approves ours. */
export async function approveManualReviews(
  http: ScenarioClient,
  operator: string,
  orders: Map<string, OrderRecord>,
  log: (line: string) => void,
): Promise<number> {
  let decided = 0;
  const listing = (await http.expect(
    200,
    'GET',
    '/v1/ops/orders?stage=ManualReviewRequired&limit=500',
    operator,
  )) as {
    orders: { orderId: string }[];
  };
  for (const { orderId } of listing.orders) {
    const order = orders.get(orderId);
    if (!order) continue; // not one of this scenario's
    order.manualReview = true;
    const response = await http.gateway('POST', `/v1/ops/orders/${orderId}/review`, operator, {
      decision: 'approve',
      note: 'Black Friday: reviewed after the provider recovered',
    });
    if (response.status < 300) decided += 1;
  }
  if (decided > 0) log(`the operator approved ${decided} manual reviews`);
  return decided;
}

/** Milliseconds from `since` until every order rested, or null when `timeoutMs` ran out first. */
export async function waitForDrain(
  orders: Map<string, OrderRecord>,
  timeoutMs: number,
  since: number,
  meanwhile: () => Promise<void>,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = [...orders.values()].filter(isOpen);
    if (open.length === 0) return Date.now() - since;
    await meanwhile();
    await sleep(500);
  }
  return null;
}

export interface ReconciliationOutcome {
  /** The grace the run judged with, per kind of hold. */
  grace?: { authorizationMs: number; reservationMs: number };
  inspected: number;
  repaired: number;
  queued: number;
  /** `: kind outcome (orderId); ...` or empty, for the report. */
  examples: string;
}

/** A reconciliation run over the scenario's window; it is paced, so it may take a while. */
export async function reconcile(
  http: ScenarioClient,
  operator: string,
  from: Date,
  timeoutMs: number,
): Promise<ReconciliationOutcome | null> {
  const run = (await http.expect(202, 'POST', '/v1/ops/reconciliation/runs', operator, {
    from: from.toISOString(),
    to: new Date().toISOString(),
    ordersPerSecond: 100,
  })) as { runId: string };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = (await http.expect(
      200,
      'GET',
      `/v1/ops/reconciliation/runs/${run.runId}`,
      operator,
    )) as {
      status: string;
      summary?: {
        grace?: { authorizationMs: number; reservationMs: number };
        inspected: number;
        repaired: number;
        queued: number;
        examples: { orderId: string; kind: string; outcome: string }[];
      };
    };
    if (status.status !== 'running' && status.summary) {
      const examples = status.summary.examples
        .map((e) => ` ${e.kind} ${e.outcome} (${e.orderId})`)
        .join(';');
      return { ...status.summary, examples: examples ? `:${examples}` : '' };
    }
    await sleep(1000);
  }
  return null;
}
