/**
 * The gateway under autocannon. Status reads (`GET /v1/orders/{id}`, a customer's token, from
 * the read model) against a bare NestJS app on the same Fastify adapter and versions answering
 * the same body as a constant; order submissions (`POST /v1/orders`, a fresh idempotency key
 * each) against a loop calling `client.workflow.start` the way the gateway does, with as many
 * in flight as autocannon has connections. Submissions go to a task queue without a worker, so
 * both sides measure the submission path alone, not the workflows behind it; that gateway's
 * admission bound is lifted for the same reason. Each pair is measured in alternating rounds
 * (platform, baseline, baseline, platform, …) rather than one side after the other: on a shared
 * machine whose other load drifts, both sides meet the same drift.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Client } from '@temporalio/client';
import { eventually, findFreePort, REPO_ROOT, stackPidFile } from '@order-platform/tools';
import {
  benchOrder,
  type BenchContext,
  type BenchResult,
  GATEWAY_BENCH_ENV,
  gatewayOrderBody,
  startOrder,
} from '../context';
import { startChild } from '../support/child';
import {
  type CpuMeter,
  cpuMsOf,
  processTreeCpuMs,
  cpuMsPer,
  cpuMsPerAcross,
  pidInFile,
  postmasterPid,
} from '../support/cpu-time';
import { percentile, ratioOf, round } from '../support/stats';

export const READ_CONNECTIONS = 32;
const SUBMIT_CONNECTIONS = 16;
const WARM_UP_SECONDS = 2;
/** Measured rounds per side; each side's measured time is split evenly between them. */
const ROUNDS = 4;
const NO_WORKER_QUEUE = 'bench-submissions-no-worker';

export interface LoadFigures {
  perSecond: number;
  /** The measured time the rate is over. */
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  notOk: number;
  errors: number;
  /** CPU ms per served request, by process group, over the measured run (Linux only). */
  cpuMsPerRequest?: Record<string, number>;
}

/**
 * One order to read, placed through the gateway and settled in READY_TO_SHIP so every read
 * answers the same: its path, its customer's authorization header, and the answer.
 */
export async function orderToRead(
  ctx: BenchContext,
  gatewayUrl: string,
): Promise<{ statusPath: string; auth: Record<string, string>; body: string }> {
  const customer = `c-bench-${randomUUID().slice(0, 8)}`;
  const token = await ctx.customerToken(customer);
  const auth = { authorization: `Bearer ${token}` };
  const placed = await fetch(`${gatewayUrl}/v1/orders`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: gatewayOrderBody,
  });
  if (placed.status !== 202) throw new Error(`placing the order to read: ${placed.status}`);
  const { orderId } = (await placed.json()) as { orderId: string };
  const statusPath = `/v1/orders/${orderId}`;
  const body = await eventually(`order ${orderId} READY_TO_SHIP`, async () => {
    const reply = await fetch(`${gatewayUrl}${statusPath}`, { headers: auth });
    const text = await reply.text();
    return (JSON.parse(text) as { status?: string }).status === 'READY_TO_SHIP' ? text : undefined;
  });
  return { statusPath, auth, body };
}

export async function gatewayBenchmark(ctx: BenchContext): Promise<BenchResult> {
  const gateway = await ctx.gateway();
  const seconds = ctx.scaled(10, 3);
  const { statusPath, auth, body } = await orderToRead(ctx, gateway.url);

  const barePort = await findFreePort();
  const bare = await startChild(
    join(REPO_ROOT, 'bench/src/baselines/bare-nest.ts'),
    { PORT: String(barePort), BENCH_CONSTANT_BODY: body },
    join(ctx.stack.stateDir, 'bare-nest.log'),
  );
  const postmaster = postmasterPid(join(ctx.stack.stateDir, 'postgres'));
  let reads: { platform: LoadFigures; baseline: LoadFigures };
  try {
    reads = await alternate(seconds, {
      platform: autocannonLoad(
        `${gateway.url}${statusPath}`,
        { headers: auth, connections: READ_CONNECTIONS },
        () => ({
          gateway: cpuMsOf(gateway.pid),
          postgres: processTreeCpuMs(postmaster),
        }),
      ),
      baseline: autocannonLoad(
        `http://127.0.0.1:${barePort}/constant`,
        { connections: READ_CONNECTIONS },
        () => ({ gateway: cpuMsOf(bare.pid) }),
      ),
    });
  } finally {
    await bare.stop();
  }

  // Priced by the same catalogue as the first gateway: without one every submission is a 503.
  const { simulators } = await ctx.downstream();
  const submitGateway = await ctx.stack.start('gateway', 'gateway-submissions', {
    ...GATEWAY_BENCH_ENV,
    CATALOGUE_URL: simulators.url,
    TEMPORAL_TASK_QUEUE: NO_WORKER_QUEUE,
    ADMISSION_MAX_PENDING: '1000000',
    ADMISSION_MAX_PENDING_EXPEDITED: '1000000',
  });
  // Where a submission's CPU goes: each side's caller, the Temporal server both share, and the
  // platform's PostgreSQL backends and catalogue (the simulators).
  const temporalServer = pidInFile(stackPidFile(ctx.stack.stateDir, 'temporal'));
  const temporalCpu = () => (temporalServer === undefined ? undefined : cpuMsOf(temporalServer));
  let submissions: { platform: LoadFigures; baseline: LoadFigures };
  try {
    submissions = await alternate(seconds, {
      platform: autocannonLoad(
        `${submitGateway.url}/v1/orders`,
        {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: gatewayOrderBody,
          freshIdempotencyKey: true,
          connections: SUBMIT_CONNECTIONS,
        },
        () => ({
          caller: cpuMsOf(submitGateway.pid),
          temporal: temporalCpu(),
          postgres: processTreeCpuMs(postmaster),
          catalogue: cpuMsOf(simulators.pid),
        }),
      ),
      baseline: startLoop(await ctx.temporal(), SUBMIT_CONNECTIONS, () => {
        const { user, system } = process.cpuUsage();
        return { caller: (user + system) / 1000, temporal: temporalCpu() };
      }),
    });
  } finally {
    await ctx.stack.stop('gateway-submissions');
  }

  return {
    rows: [
      {
        metric: 'status reads',
        unit: 'req/s',
        platform: round(reads.platform.perSecond),
        baseline: round(reads.baseline.perSecond),
        ratio: ratioOf(reads.platform.perSecond, reads.baseline.perSecond),
      },
      {
        metric: 'status read p50',
        unit: 'ms',
        platform: reads.platform.p50Ms,
        baseline: reads.baseline.p50Ms,
        ratio: ratioOf(reads.platform.p50Ms, reads.baseline.p50Ms),
      },
      {
        metric: 'status read p99',
        unit: 'ms',
        platform: reads.platform.p99Ms,
        baseline: reads.baseline.p99Ms,
        ratio: ratioOf(reads.platform.p99Ms, reads.baseline.p99Ms),
      },
      ...cpuRows(reads),
      ...submissionCpuRows(submissions),
      {
        metric: 'order submissions',
        unit: 'orders/s',
        platform: round(submissions.platform.perSecond),
        baseline: round(submissions.baseline.perSecond),
        ratio: ratioOf(submissions.platform.perSecond, submissions.baseline.perSecond),
      },
      {
        metric: 'order submission p99',
        unit: 'ms',
        platform: submissions.platform.p99Ms,
        baseline: submissions.baseline.p99Ms,
        ratio: ratioOf(submissions.platform.p99Ms, submissions.baseline.p99Ms),
      },
    ],
    details: {
      secondsPerSide: seconds,
      roundsPerSide: ROUNDS,
      readConnections: READ_CONNECTIONS,
      submitConnections: SUBMIT_CONNECTIONS,
      statusBodyBytes: Buffer.byteLength(body),
      reads,
      submissions,
    },
  };
}

export interface LoadOptions {
  seconds: number;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** A new Idempotency-Key on every request: each one is a new order. */
  freshIdempotencyKey?: boolean;
}

/** One side of a comparison: warmed once, then measured for as long as asked, as often. */
interface LoadSide {
  warmUp(): Promise<void>;
  measure(seconds: number): Promise<LoadFigures>;
}

/**
 * Both sides warmed, then measured in `ROUNDS` rounds each of `seconds` ÷ `ROUNDS` in whole
 * seconds (autocannon stops on its one-second tick), in the order platform, baseline, baseline,
 * platform, … (neither side always goes first); each side's rounds add up to its figures.
 */
async function alternate(
  seconds: number,
  sides: { platform: LoadSide; baseline: LoadSide },
): Promise<{ platform: LoadFigures; baseline: LoadFigures }> {
  await sides.platform.warmUp();
  await sides.baseline.warmUp();
  const rounds: Record<'platform' | 'baseline', LoadFigures[]> = { platform: [], baseline: [] };
  const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS));
  for (let round = 0; round < ROUNDS; round += 1) {
    const order =
      round % 2 === 0 ? (['platform', 'baseline'] as const) : (['baseline', 'platform'] as const);
    for (const side of order) rounds[side].push(await sides[side].measure(roundSeconds));
  }
  return { platform: addedUp(rounds.platform), baseline: addedUp(rounds.baseline) };
}

/**
 * Rounds of one side as one run: the rate over their time added, CPU per request weighted by
 * the requests each served, the median round's p50 and the worst round's p99 (percentiles of
 * separate runs do not add up).
 */
export function addedUp(rounds: readonly LoadFigures[]): LoadFigures {
  const ok = rounds.reduce((sum, r) => sum + r.ok, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const cpuMsPerRequest = cpuMsPerAcross(
    rounds.map((r) => ({ units: r.ok, cpuMsPer: r.cpuMsPerRequest })),
  );
  return {
    perSecond: ok / seconds,
    seconds,
    p50Ms: percentile(
      rounds.map((r) => r.p50Ms),
      50,
    ),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    ok,
    notOk: rounds.reduce((sum, r) => sum + r.notOk, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    ...(cpuMsPerRequest ? { cpuMsPerRequest } : {}),
  };
}

/** A short warm-up, then the measured run (the scaling benchmark runs sides at once, not in turn). */
export async function load(
  url: string,
  options: LoadOptions,
  meter?: CpuMeter,
): Promise<LoadFigures> {
  const side = autocannonLoad(url, options, meter);
  await side.warmUp();
  return side.measure(options.seconds);
}

/** `url` under autocannon; only 2xx answers count as served. */
function autocannonLoad(
  url: string,
  options: Omit<LoadOptions, 'seconds'>,
  meter?: CpuMeter,
): LoadSide {
  const run = (duration: number) =>
    autocannon({
      url,
      duration,
      connections: options.connections,
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      requests: options.freshIdempotencyKey
        ? [
            {
              setupRequest: (request) => ({
                ...request,
                headers: { ...request.headers, 'idempotency-key': randomUUID() },
              }),
            },
          ]
        : undefined,
    });
  return {
    warmUp: async () => void (await run(WARM_UP_SECONDS)),
    measure: async (seconds) => {
      const cpuBefore = meter?.();
      const result = await run(seconds);
      const cpuAfter = meter?.();
      // A side that served nothing measured a broken setup, not a rate: say so instead of a 0.
      if (result['2xx'] === 0) {
        throw new Error(`${options.method ?? 'GET'} ${url}: no 2xx in ${seconds} s`);
      }
      return {
        perSecond: result['2xx'] / result.duration,
        seconds: result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        ok: result['2xx'],
        notOk: result.non2xx,
        errors: result.errors,
        ...(cpuBefore && cpuAfter
          ? { cpuMsPerRequest: cpuMsPer(cpuBefore, cpuAfter, result['2xx']) }
          : {}),
      };
    },
  };
}

/** `client.workflow.start` from `lanes` loops at once, timed per call. */
function startLoop(client: Client, lanes: number, meter: CpuMeter): LoadSide {
  const runFor = async (ms: number, latencies?: number[]) => {
    let errors = 0;
    const until = Date.now() + ms;
    const began = Date.now();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (Date.now() < until) {
          const sent = performance.now();
          try {
            await startOrder(client, NO_WORKER_QUEUE, benchOrder());
            latencies?.push(performance.now() - sent);
          } catch {
            errors += 1;
          }
        }
      }),
    );
    return { seconds: (Date.now() - began) / 1000, errors };
  };
  return {
    warmUp: async () => void (await runFor(WARM_UP_SECONDS * 1000)),
    measure: async (seconds) => {
      const latencies: number[] = [];
      const cpuBefore = meter();
      const run = await runFor(seconds * 1000, latencies);
      const cpuAfter = meter();
      if (latencies.length === 0) {
        throw new Error(`client.workflow.start: no start succeeded in ${seconds} s`);
      }
      return {
        perSecond: latencies.length / run.seconds,
        seconds: run.seconds,
        p50Ms: round(percentile(latencies, 50)),
        p99Ms: round(percentile(latencies, 99)),
        ok: latencies.length,
        notOk: 0,
        errors: run.errors,
        cpuMsPerRequest: cpuMsPer(cpuBefore, cpuAfter, latencies.length),
      };
    },
  };
}

/**
 * CPU per status read: the gateway against the bare app (the ratio moves far less with the
 * machine's other load than the rates do), and PostgreSQL's backends behind the gateway.
 */
function cpuRows(reads: { platform: LoadFigures; baseline: LoadFigures }) {
  const platform = reads.platform.cpuMsPerRequest;
  const baseline = reads.baseline.cpuMsPerRequest;
  const rows = [];
  if (platform?.gateway !== undefined && baseline?.gateway !== undefined) {
    rows.push({
      metric: 'status read: app CPU per read',
      unit: 'ms',
      platform: round(platform.gateway),
      baseline: round(baseline.gateway),
      ratio: ratioOf(platform.gateway, baseline.gateway),
    });
  }
  if (platform?.postgres !== undefined) {
    rows.push({
      metric: 'status read: PostgreSQL CPU per read',
      unit: 'ms',
      platform: round(platform.postgres),
    });
  }
  return rows;
}

/**
 * CPU per submitted order by process: the caller (the gateway; the baseline's loop), the
 * Temporal server (on both sides), and what only the platform calls (PostgreSQL, the catalogue).
 */
function submissionCpuRows(submissions: { platform: LoadFigures; baseline: LoadFigures }) {
  const platform = submissions.platform.cpuMsPerRequest ?? {};
  const baseline = submissions.baseline.cpuMsPerRequest ?? {};
  return Object.entries(platform).map(([group, ms]) => {
    const base = baseline[group];
    return {
      metric: `order submission: ${group} CPU per order`,
      unit: 'ms',
      platform: round(ms),
      ...(base === undefined ? {} : { baseline: round(base), ratio: ratioOf(ms, base) }),
    };
  });
}
