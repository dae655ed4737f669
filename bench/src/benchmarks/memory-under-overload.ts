/**
 * Memory under overload: the gateway, the worker and the legacy adapter (mirror, bridge and
 * comparator all on) while they are offered ten times the order rate the platform sustains
 * (measured by the workflow benchmark in the same run, or here if it did not run): that rate
 * in new orders through the gateway and the same again in orders placed on the monolith, which
 * the adapter mirrors and bridges into workflows. RSS is sampled every second from /proc; memory
 * has plateaued when the last third of the run averages within 10 % of the middle third.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { type BenchContext, type BenchResult, BENCH_SKU, gatewayOrderBody } from '../context';
import { rssMiB } from '../support/machine';
import { mean, round, sleep } from '../support/stats';
import { measureSustainableRate } from './workflow-throughput';

const OVERLOAD_FACTOR = 10;
const SAMPLE_EVERY_MS = 1_000;
/** In-flight monolith orders at most: beyond that an offered order is counted as not sent. */
const MONOLITH_MAX_IN_FLIGHT = 64;
const PLATEAU_TOLERANCE = 0.1;

export async function memoryUnderOverload(ctx: BenchContext): Promise<BenchResult> {
  const gateway = await ctx.gateway();
  const monolith = await ctx.monolith();
  // Before the adapter starts: its bridge would turn earlier monolith orders into workflows.
  const sustainable = ctx.sustainableOrdersPerSecond ?? (await measureSustainableRate(ctx));
  const adapter = await ctx.stack.start('legacy-adapter', 'adapter', {
    MIRROR_SOURCE: 'cdc',
    MIRROR_SLOT: 'bench_overload',
    MIRROR_PUBLICATION: 'bench_overload',
  });
  const worker = ctx.stack.running('worker')!;
  const offeredPerSecond = Math.max(1, Math.round(sustainable * OVERLOAD_FACTOR));
  const seconds = ctx.scaled(60, 15);
  const processes = { gateway: gateway.pid, worker: worker.pid, adapter: adapter.pid };
  const token = await ctx.customerToken(`c-overload-${randomUUID().slice(0, 8)}`);

  const samples: {
    t: number;
    gateway?: number;
    worker?: number;
    adapter?: number;
    cachedWorkflows?: number;
    workerHeapUsed?: number;
    adapterHeapUsed?: number;
  }[] = [];
  const began = Date.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push({
        t: round((Date.now() - began) / 1000),
        ...Object.fromEntries(
          Object.entries(processes).map(([name, pid]) => [name, round(rssMiB(pid) ?? Number.NaN)]),
        ),
        ...(await processGauges(worker.url, adapter.url)),
      });
      await sleep(SAMPLE_EVERY_MS);
    }
  })();

  const monolithLoad = offerMonolithOrders(monolith.url, offeredPerSecond, seconds);
  const gatewayLoad = await autocannon({
    url: `${gateway.url}/v1/orders`,
    method: 'POST',
    duration: seconds,
    connections: 64,
    overallRate: offeredPerSecond,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: gatewayOrderBody,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'idempotency-key': randomUUID() },
        }),
      },
    ],
  });
  const monolithFigures = await monolithLoad;
  sampling = false;
  await sampler;

  const summary = Object.fromEntries(
    (Object.keys(processes) as (keyof typeof processes)[]).map((name) => {
      const values = samples.map((s) => s[name]!).filter((v) => Number.isFinite(v));
      const third = Math.floor(values.length / 3);
      const middle = mean(values.slice(third, 2 * third));
      const last = mean(values.slice(2 * third));
      return [
        name,
        {
          peakMiB: round(Math.max(...values)),
          middleThirdMeanMiB: round(middle),
          lastThirdMeanMiB: round(last),
          growth: round((last - middle) / middle),
          plateaued: (last - middle) / middle < PLATEAU_TOLERANCE,
        },
      ];
    }),
  );
  const statusCounts = gatewayLoad.statusCodeStats ?? {};
  const maxCached = process.env.WORKER_MAX_CACHED_WORKFLOWS?.trim() || 'unset';
  return {
    rows: (Object.keys(processes) as (keyof typeof processes)[])
      .map((name) => ({
        metric: `${name} peak RSS (last/middle third ${summary[name]!.growth >= 0 ? '+' : ''}${round(summary[name]!.growth * 100)} %${summary[name]!.plateaued ? ', plateaus' : ', GROWS'})`,
        unit: 'MiB',
        platform: summary[name]!.peakMiB,
      }))
      .concat({
        metric: `worker workflows cached at the end (WORKER_MAX_CACHED_WORKFLOWS ${maxCached})`,
        unit: 'workflows',
        platform: samples.at(-1)?.cachedWorkflows ?? Number.NaN,
      }),
    details: {
      sustainableOrdersPerSecond: round(sustainable),
      maxCachedWorkflows: maxCached,
      offeredPerSecond: { gateway: offeredPerSecond, monolith: offeredPerSecond },
      seconds,
      gateway: {
        sent: gatewayLoad.requests.sent,
        admitted202: statusCounts['202']?.count ?? 0,
        shed429: statusCounts['429']?.count ?? 0,
        other: gatewayLoad.non2xx - (statusCounts['429']?.count ?? 0),
        errors: gatewayLoad.errors,
        p99Ms: gatewayLoad.latency.p99,
      },
      monolith: monolithFigures,
      rss: summary,
      samplesMiB: samples,
    },
  };
}

/**
 * From the processes' /metrics, read together so they are of the same moment as the RSS: the
 * workflows in the worker's sticky cache (the SDK's gauge) and the worker's and adapter's V8 heap
 * in use.
 */
async function processGauges(
  workerUrl: string,
  adapterUrl: string,
): Promise<{ cachedWorkflows?: number; workerHeapUsed?: number; adapterHeapUsed?: number }> {
  const [workerText, adapterText] = await Promise.all([
    metricsText(workerUrl),
    metricsText(adapterUrl),
  ]);
  return {
    cachedWorkflows: metricSum(workerText, 'temporal_sticky_cache_size'),
    workerHeapUsed: heapUsedMiB(workerText, 'worker'),
    adapterHeapUsed: heapUsedMiB(adapterText, 'legacy_adapter'),
  };
}

const metricsText = (url: string): Promise<string> =>
  fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) })
    .then((response) => response.text())
    .catch(() => '');

function metricSum(text: string, name: string): number | undefined {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map(
    (match) => Number(match[1]),
  );
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}

/** A platform process's V8 heap in use (MiB; garbage not yet collected included). */
function heapUsedMiB(text: string, app: 'worker' | 'legacy_adapter'): number | undefined {
  const heap = metricSum(text, `order_platform_${app}_nodejs_heap_size_used_bytes`);
  return heap === undefined ? undefined : round(heap / 2 ** 20);
}

/** Orders placed on the monolith at `perSecond` for `seconds`, at most 64 in flight. */
async function offerMonolithOrders(
  monolithUrl: string,
  perSecond: number,
  seconds: number,
): Promise<{ placed: number; failed: number; notSent: number }> {
  const figures = { placed: 0, failed: 0, notSent: 0 };
  const began = Date.now();
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < perSecond * seconds; i += 1) {
    await sleep(Math.max(0, began + (i * 1000) / perSecond - Date.now()));
    if (pending.size >= MONOLITH_MAX_IN_FLIGHT) {
      figures.notSent += 1;
      continue;
    }
    const order = fetch(`${monolithUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: `c-overload-${i}`,
        items: [{ sku: BENCH_SKU, quantity: 1 }],
      }),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) figures.placed += 1;
        else figures.failed += 1;
      })
      .catch(() => void (figures.failed += 1))
      .finally(() => pending.delete(order));
    pending.add(order);
  }
  await Promise.all(pending);
  return figures;
}
