/**
 * Time to truth: how long after the workflow records a stage a customer reads it through
 * `GET /v1/orders/{id}`. Orders are placed through the gateway and polled every few
 * milliseconds; the stage's time is its search-attribute upsert in the workflow's history
 * (server clock, same machine), the read's time is when the answer that first showed the new
 * status arrived. Measured for READY_TO_SHIP (reached on its own after submission) and for
 * SHIPPED and DELIVERED (after the outside facts, sent as signals; also timed from the signal).
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { workflowIdForOrder } from '@order-platform/domain';
import { orderDeliveredSignal, shipmentDispatchedSignal } from '@order-platform/workflows';
import { type BenchContext, type BenchResult, gatewayOrderBody } from '../context';
import { stageReachedAt } from '../support/history';
import { latencySummary, pool, sleep } from '../support/stats';

const POLL_EVERY_MS = 5;
const CONCURRENT_ORDERS = 4;
const TRANSITIONS = [
  { status: 'READY_TO_SHIP', stage: 'ReadyForFulfillment' },
  { status: 'SHIPPED', stage: 'Shipped' },
  { status: 'DELIVERED', stage: 'Delivered' },
] as const;

export async function timeToTruth(ctx: BenchContext): Promise<BenchResult> {
  const gateway = await ctx.gateway();
  const client = await ctx.temporal();
  const orders = ctx.scaled(30, 5);
  const customer = `c-truth-${randomUUID().slice(0, 8)}`;
  const auth = { authorization: `Bearer ${await ctx.customerToken(customer)}` };
  const fromStage: Record<string, number[]> = Object.fromEntries(
    TRANSITIONS.map((t) => [t.status, []]),
  );
  const fromSignal: number[] = [];

  const firstSeen = async (orderId: string, status: string): Promise<number> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const reply = await fetch(`${gateway.url}/v1/orders/${orderId}`, { headers: auth });
      const at = Date.now();
      if (reply.ok && ((await reply.json()) as { status: string }).status === status) return at;
      if (at > deadline) throw new Error(`order ${orderId} not ${status} after 60 s`);
      await sleep(POLL_EVERY_MS);
    }
  };

  await pool(orders, CONCURRENT_ORDERS, async () => {
    const placed = await fetch(`${gateway.url}/v1/orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: gatewayOrderBody,
    });
    if (placed.status !== 202)
      throw new Error(`placing an order: ${placed.status} ${await placed.text()}`);
    const { orderId } = (await placed.json()) as { orderId: string };
    const handle = client.workflow.getHandle(workflowIdForOrder(orderId));
    const seen: Record<string, number> = {};
    seen.READY_TO_SHIP = await firstSeen(orderId, 'READY_TO_SHIP');
    let signalled = Date.now();
    await handle.signal(shipmentDispatchedSignal, {});
    seen.SHIPPED = await firstSeen(orderId, 'SHIPPED');
    fromSignal.push(seen.SHIPPED - signalled);
    signalled = Date.now();
    await handle.signal(orderDeliveredSignal);
    seen.DELIVERED = await firstSeen(orderId, 'DELIVERED');
    fromSignal.push(seen.DELIVERED - signalled);
    // The read model can run ahead of the history: a change is projected by a local activity
    // inside the workflow task whose completion records the stage, so wait for that completion.
    const events = await historyWithStage(handle, 'Delivered');
    for (const { status, stage } of TRANSITIONS) {
      const recorded = stageReachedAt(events, stage);
      if (recorded === undefined) throw new Error(`order ${orderId}: no ${stage} in its history`);
      fromStage[status]!.push(seen[status]! - recorded);
    }
  });

  const all = Object.values(fromStage).flat();
  const overall = latencySummary(all);
  const signal = latencySummary(fromSignal);
  return {
    rows: [
      { metric: 'stage recorded → readable, p50', unit: 'ms', platform: overall.p50Ms },
      { metric: 'stage recorded → readable, p99', unit: 'ms', platform: overall.p99Ms },
      { metric: 'signal sent → readable, p99', unit: 'ms', platform: signal.p99Ms },
    ],
    details: {
      orders,
      concurrentOrders: CONCURRENT_ORDERS,
      pollEveryMs: POLL_EVERY_MS,
      fromStageRecorded: overall,
      fromStageRecordedByStatus: Object.fromEntries(
        Object.entries(fromStage).map(([status, values]) => [status, latencySummary(values)]),
      ),
      fromSignalSent: signal,
    },
  };
}

type HistoryEvents = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events'];

async function historyWithStage(
  handle: WorkflowHandle,
  stage: string,
): Promise<NonNullable<HistoryEvents>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    if (stageReachedAt(events, stage) !== undefined || Date.now() > deadline) return events;
    await sleep(50);
  }
}
