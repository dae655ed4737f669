/**
 * Workflow throughput: a burst of orders started straight on Temporal, as the gateway starts
 * them, driven to CONFIRMED (they then wait for a shipment) and, with both outside facts sent at
 * once, to DELIVERED; against the bare workflow with the same number of no-op activities between
 * the same stage markers, on the same server, with the same worker options, in its own worker
 * process. Each side runs two bursts per target, in the order platform, baseline, baseline,
 * platform, so a neighbour's load that comes or goes weighs on both sides. Throughput is orders ÷
 * (last order at the stage − first start), every time from the histories, added up over a side's
 * bursts; where the time goes comes from the same histories, and the CPU each process spent
 * per order over the burst from /proc (the side's worker, the Temporal server, PostgreSQL's
 * backends, the Kafka broker, the simulated downstream services; on one shared machine the rate
 * follows their sum).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { orderDeliveredSignal, shipmentDispatchedSignal } from '@order-platform/workflows';
import { REPO_ROOT, stackPidFile } from '@order-platform/tools';
import {
  bareDeliveredSignal,
  bareDispatchedSignal,
  bareOrder,
  type BareOrderPlan,
} from '../baselines/bare-order.workflow';
import { benchOrder, type BenchContext, type BenchResult, startOrder } from '../context';
import { startChild } from '../support/child';
import {
  type CpuMeter,
  cpuMsPer,
  cpuMsPerAcross,
  pidInFile,
  postmasterPid,
  processTreeCpuMs,
} from '../support/cpu-time';
import {
  costUntil,
  meanCost,
  stageReachedAt,
  stepsBetweenStages,
  type Step,
  type WorkflowCost,
  workflowStartedAt,
} from '../support/history';
import { latencySummary, pool, ratioOf, round, sleep, within } from '../support/stats';

const ORDERS_QUEUE = 'orders';
const BARE_QUEUE = 'bench-bare-order';
const STAGES = ['Confirmed', 'ReadyForFulfillment', 'Shipped', 'Delivered'];
/** Starts in flight at once: enough to keep both workers busy, like a busy gateway. */
const START_CONCURRENCY = 16;
const CUSTOMER_ID = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);

type Target = 'Confirmed' | 'Delivered';
type Side = 'platform' | 'baseline';

interface BurstResult {
  ordersPerSecond: number;
  orders: number;
  /** From the first start to the last order at the stage. */
  elapsedMs: number;
  /** Start to stage, per order. */
  latenciesMs: number[];
  costs: WorkflowCost[];
  latency: ReturnType<typeof latencySummary>;
  cost: WorkflowCost;
  /** CPU ms per order by process over the burst (Linux only). */
  cpuMsPerOrder?: Record<string, number>;
}

export async function workflowThroughput(ctx: BenchContext): Promise<BenchResult> {
  const { worker, simulators } = await ctx.downstream();
  const client = await ctx.temporal();
  const bareWorker = await startChild(
    join(REPO_ROOT, 'bench/src/baselines/bare-worker.ts'),
    { ...ctx.stack.env, TEMPORAL_TASK_QUEUE: BARE_QUEUE },
    join(ctx.stack.stateDir, 'bare-worker.log'),
  );
  const temporal = pidInFile(stackPidFile(ctx.stack.stateDir, 'temporal'));
  const kafka = pidInFile(stackPidFile(ctx.stack.stateDir, 'kafka'));
  const postmaster = postmasterPid(join(ctx.stack.stateDir, 'postgres'));
  const shared = () => ({
    temporal: processTreeCpuMs(temporal),
    postgres: processTreeCpuMs(postmaster),
    kafka: processTreeCpuMs(kafka),
    // The downstream services the platform's activities call (the bare workflow calls none).
    simulators: processTreeCpuMs(simulators.pid),
  });
  const meters: Record<Side, CpuMeter> = {
    platform: () => ({ worker: processTreeCpuMs(worker.pid), ...shared() }),
    baseline: () => ({ worker: processTreeCpuMs(bareWorker.pid), ...shared() }),
  };
  try {
    const plan = await calibrate(client);
    const orders = ctx.scaled(30, 10);
    // Warm both workers (workflow bundle loaded, connections open, JIT) before timing anything.
    for (const side of ['platform', 'baseline'] as const)
      await burst(client, side, 'Delivered', 5, plan, meters[side]);
    const results: Record<string, BurstResult> = {};
    for (const target of ['Confirmed', 'Delivered'] as const) {
      const bursts: Record<Side, BurstResult[]> = { platform: [], baseline: [] };
      for (const side of ['platform', 'baseline', 'baseline', 'platform'] as const)
        bursts[side].push(await burst(client, side, target, orders, plan, meters[side]));
      for (const side of ['platform', 'baseline'] as const) {
        results[`${side}:${target}`] = addedUp(bursts[side]);
        console.log(
          `  ${side} to ${target}: ${bursts[side].map((b) => round(b.ordersPerSecond)).join(' and ')} orders/s`,
        );
      }
    }
    const confirmed = results['platform:Confirmed']!;
    ctx.sustainableOrdersPerSecond = confirmed.ordersPerSecond;
    const row = (target: Target) => {
      const platform = results[`platform:${target}`]!.ordersPerSecond;
      const baseline = results[`baseline:${target}`]!.ordersPerSecond;
      return {
        metric: `orders to ${target.toUpperCase()}`,
        unit: 'orders/s',
        platform: round(platform),
        baseline: round(baseline),
        ratio: ratioOf(platform, baseline),
      };
    };
    // Where an order's CPU goes on the way to CONFIRMED, process by process.
    const cpuRows = Object.keys(results['platform:Confirmed']!.cpuMsPerOrder ?? {}).map(
      (process) => {
        const platform = results['platform:Confirmed']!.cpuMsPerOrder![process]!;
        const baseline = results['baseline:Confirmed']!.cpuMsPerOrder?.[process];
        return {
          metric: `to CONFIRMED: ${process} CPU per order`,
          unit: 'ms',
          platform: round(platform),
          ...(baseline === undefined
            ? {}
            : { baseline: round(baseline), ratio: ratioOf(platform, baseline) }),
        };
      },
    );
    return {
      rows: [row('Confirmed'), row('Delivered'), ...cpuRows],
      details: {
        ordersPerBurst: orders,
        burstsPerSide: 2,
        startConcurrency: START_CONCURRENCY,
        stepsBetweenStages: plan,
        bursts: Object.fromEntries(
          Object.entries(results).map(([key, r]) => [
            key,
            {
              ordersPerSecond: round(r.ordersPerSecond),
              orders: r.orders,
              latency: r.latency,
              perOrder: roundCost(r.cost),
              cpuMsPerOrder:
                r.cpuMsPerOrder &&
                Object.fromEntries(
                  Object.entries(r.cpuMsPerOrder).map(([process, ms]) => [process, round(ms)]),
                ),
            },
          ]),
        ),
      },
    };
  } finally {
    await bareWorker.stop();
  }
}

/** One order to DELIVERED on the platform: how many activities it runs before each stage. */
async function calibrate(client: Client): Promise<BareOrderPlan> {
  const handle = await startOrder(client, ORDERS_QUEUE, benchOrder());
  await handle.signal(shipmentDispatchedSignal, {});
  await handle.signal(orderDeliveredSignal);
  await within(
    'one order to DELIVERED (is the worker failing? see its log in the state folder)',
    120_000,
    handle.result(),
  );
  const { events } = await handle.fetchHistory();
  const [toConfirmed, toReadyForFulfillment, toShipped, toDelivered] = stepsBetweenStages(
    events ?? [],
    STAGES,
  ) as [Step[], Step[], Step[], Step[]];
  return { toConfirmed, toReadyForFulfillment, toShipped, toDelivered };
}

async function burst(
  client: Client,
  side: Side,
  target: Target,
  count: number,
  plan: BareOrderPlan,
  meter?: CpuMeter,
): Promise<BurstResult> {
  const run = `run-${randomUUID().slice(0, 8)}`;
  const cpuBefore = meter?.();
  const handles: WorkflowHandle[] = [];
  await pool(count, START_CONCURRENCY, async () => {
    const handle =
      side === 'platform'
        ? await startOrder(client, ORDERS_QUEUE, benchOrder(run))
        : await client.workflow.start(bareOrder, {
            taskQueue: BARE_QUEUE,
            workflowId: `bare-${randomUUID()}`,
            args: [plan],
            typedSearchAttributes: [{ key: CUSTOMER_ID, value: run }],
          });
    if (target === 'Delivered' && side === 'platform') {
      await handle.signal(shipmentDispatchedSignal, {});
      await handle.signal(orderDeliveredSignal);
    } else if (target === 'Delivered') {
      await handle.signal(bareDispatchedSignal);
      await handle.signal(bareDeliveredSignal);
    }
    handles.push(handle);
  });
  if (target === 'Delivered') {
    await within(
      `${count} ${side} orders to DELIVERED`,
      10 * 60_000,
      Promise.all(handles.map((handle) => handle.result())),
    );
  } else {
    // Both wait for the shipment in ReadyForFulfillment, right after CONFIRMED.
    await waitForCount(
      client,
      `CustomerId = "${run}" AND OrderStage = "ReadyForFulfillment"`,
      count,
    );
  }
  const cpuAfter = meter?.();
  const starts: number[] = [];
  const reached: number[] = [];
  const costs: WorkflowCost[] = [];
  for (const handle of handles) {
    const events = (await handle.fetchHistory()).events ?? [];
    const at = stageReachedAt(events, target);
    if (at === undefined) throw new Error(`${handle.workflowId} never reached ${target}`);
    starts.push(workflowStartedAt(events));
    reached.push(at);
    costs.push(costUntil(events, at));
  }
  const elapsedMs = Math.max(...reached) - Math.min(...starts);
  const latenciesMs = reached.map((at, i) => at - starts[i]!);
  return {
    ordersPerSecond: (count * 1000) / elapsedMs,
    orders: count,
    elapsedMs,
    latenciesMs,
    costs,
    latency: latencySummary(latenciesMs),
    cost: meanCost(costs),
    ...(cpuBefore && cpuAfter ? { cpuMsPerOrder: cpuMsPer(cpuBefore, cpuAfter, count) } : {}),
  };
}

/**
 * A side's bursts as one: its orders over their bursts' time together, the latencies and costs
 * of every order, CPU per order weighted by the orders each burst ran.
 */
export function addedUp(bursts: readonly BurstResult[]): BurstResult {
  const orders = bursts.reduce((sum, b) => sum + b.orders, 0);
  const elapsedMs = bursts.reduce((sum, b) => sum + b.elapsedMs, 0);
  const latenciesMs = bursts.flatMap((b) => b.latenciesMs);
  const costs = bursts.flatMap((b) => b.costs);
  const cpuMsPerOrder = cpuMsPerAcross(
    bursts.map((b) => ({ units: b.orders, cpuMsPer: b.cpuMsPerOrder })),
  );
  return {
    ordersPerSecond: (orders * 1000) / elapsedMs,
    orders,
    elapsedMs,
    latenciesMs,
    costs,
    latency: latencySummary(latenciesMs),
    cost: meanCost(costs),
    ...(cpuMsPerOrder ? { cpuMsPerOrder } : {}),
  };
}

async function waitForCount(client: Client, query: string, count: number): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while ((await client.workflow.count(query)).count < count) {
    if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${count} × ${query}`);
    await sleep(250);
  }
}

function roundCost(cost: WorkflowCost): Record<string, unknown> {
  return {
    workflowTasks: round(cost.workflowTasks),
    activities: round(cost.activities),
    localActivities: round(cost.localActivities),
    historyEvents: round(cost.events),
    workflowTaskQueueMs: round(cost.workflowTaskQueueMs),
    workflowTaskRunMs: round(cost.workflowTaskRunMs),
    activityQueueMs: round(cost.activityQueueMs),
    activityRunMs: round(cost.activityRunMs),
    activityRunMsByType: Object.fromEntries(
      Object.entries(cost.activityRunMsByType)
        .sort(([, a], [, b]) => b - a)
        .map(([type, ms]) => [type, round(ms)]),
    ),
  };
}

/** A burst of `count` platform orders to CONFIRMED on the running worker(s): orders/s. */
export async function ordersToConfirmedPerSecond(client: Client, count: number): Promise<number> {
  const plan = { toConfirmed: [], toReadyForFulfillment: [], toShipped: [], toDelivered: [] };
  return (await burst(client, 'platform', 'Confirmed', count, plan)).ordersPerSecond;
}

/** For a benchmark run on its own: a short burst of orders to CONFIRMED. */
export async function measureSustainableRate(ctx: BenchContext): Promise<number> {
  await ctx.downstream();
  const ordersPerSecond = await ordersToConfirmedPerSecond(
    await ctx.temporal(),
    ctx.scaled(30, 10),
  );
  ctx.sustainableOrdersPerSecond = ordersPerSecond;
  return ordersPerSecond;
}
