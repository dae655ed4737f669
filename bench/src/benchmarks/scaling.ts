/**
 * Scaling: what a second process of the same kind buys on this machine. Orders to CONFIRMED
 * with one worker and then two (a second worker process polling the same task queues), and
 * status reads with one gateway and then two (the same read connections split between them,
 * the rates added). The ratio is two ÷ one. Run only when named (`npm run bench -- scaling`):
 * on 2 cores the second process competes with the first, with Temporal, PostgreSQL and the load
 * generator for the same cores, so the figure says what 2 cores allow, not what a cluster would.
 */
import type { BenchContext, BenchResult, ResultRow } from '../context';
import { GATEWAY_BENCH_ENV } from '../context';
import { ratioOf, round } from '../support/stats';
import { load, type LoadFigures, orderToRead, READ_CONNECTIONS } from './gateway';
import { ordersToConfirmedPerSecond } from './workflow-throughput';

export async function scaling(ctx: BenchContext): Promise<BenchResult> {
  const client = await ctx.temporal();
  const { simulators } = await ctx.downstream();
  const orders = ctx.scaled(30, 10);
  const seconds = ctx.scaled(10, 3);

  // Warm the worker (bundle, connections, JIT) before timing, as workflow-throughput does.
  await ordersToConfirmedPerSecond(client, 5);
  const oneWorker = await ordersToConfirmedPerSecond(client, orders);
  console.log(`  1 worker: ${round(oneWorker)} orders/s to CONFIRMED`);
  await ctx.stack.start('worker', 'worker-2', ctx.downstreamEnv(simulators.url));
  let twoWorkers: number;
  try {
    await ordersToConfirmedPerSecond(client, 5);
    twoWorkers = await ordersToConfirmedPerSecond(client, orders);
    console.log(`  2 workers: ${round(twoWorkers)} orders/s to CONFIRMED`);
  } finally {
    await ctx.stack.stop('worker-2');
  }

  const gateway = await ctx.gateway();
  const { statusPath, auth } = await orderToRead(ctx, gateway.url);
  const reads = (urls: string[]) => readsAcross(urls, statusPath, auth, seconds);
  const oneGateway = await reads([gateway.url]);
  const second = await ctx.stack.start('gateway', 'gateway-2', {
    ...GATEWAY_BENCH_ENV,
    CATALOGUE_URL: simulators.url,
  });
  let twoGateways: Awaited<ReturnType<typeof reads>>;
  try {
    twoGateways = await reads([gateway.url, second.url]);
  } finally {
    await ctx.stack.stop('gateway-2');
  }

  const row = (metric: string, unit: string, two: number, one: number): ResultRow => ({
    metric,
    unit,
    platform: round(two),
    baseline: round(one),
    ratio: ratioOf(two, one),
  });
  return {
    rows: [
      row('orders to CONFIRMED, 2 workers (baseline: 1)', 'orders/s', twoWorkers, oneWorker),
      row(
        'status reads, 2 gateways (baseline: 1)',
        'req/s',
        twoGateways.perSecond,
        oneGateway.perSecond,
      ),
      row('status read p99, 2 gateways (baseline: 1)', 'ms', twoGateways.p99Ms, oneGateway.p99Ms),
    ],
    details: {
      ordersPerBurst: orders,
      secondsPerSide: seconds,
      readConnections: READ_CONNECTIONS,
      oneGateway,
      twoGateways,
    },
  };
}

/** The read connections split evenly across `urls`, all at once: the rates added, the worst p99. */
async function readsAcross(
  urls: string[],
  statusPath: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<{ perSecond: number; p99Ms: number; each: LoadFigures[] }> {
  const connections = Math.max(1, Math.floor(READ_CONNECTIONS / urls.length));
  const each = await Promise.all(
    urls.map((url) => load(`${url}${statusPath}`, { headers, seconds, connections })),
  );
  return {
    perSecond: each.reduce((sum, figures) => sum + figures.perSecond, 0),
    p99Ms: Math.max(...each.map((figures) => figures.p99Ms)),
    each,
  };
}
