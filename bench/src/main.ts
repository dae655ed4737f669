/**
 * `npm run bench [-- <name>...]`: starts a throw-away stack, runs the benchmarks (all but
 * `scaling` and `read-change-notifications`, or those named), prints each platform figure beside its baseline measured in the same run with the
 * machine it ran on, appends the run as JSON to bench/results/, and destroys the stack.
 * BENCH_SCALE multiplies every count and duration (default 1: about ten minutes on 2 cores);
 * STACK_TEMPORAL=server runs it on the Temporal server instead of the dev server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { REPO_ROOT } from '@order-platform/tools';
import { gatewayBenchmark } from './benchmarks/gateway';
import { memoryUnderOverload } from './benchmarks/memory-under-overload';
import { mirrorAndComparator } from './benchmarks/mirror-and-comparator';
import { readChangeNotifications } from './benchmarks/read-change-notifications';
import { scaling } from './benchmarks/scaling';
import { timeToTruth } from './benchmarks/time-to-truth';
import { workflowThroughput } from './benchmarks/workflow-throughput';
import { BenchContext, type BenchResult } from './context';
import { BenchStack } from './support/bench-stack';
import { stopAllChildren } from './support/child';
import { describeMachine, loadAverage } from './support/machine';
import { printTable } from './support/report';

/** In this order: the memory benchmark offers ten times the rate the first one measured. */
const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<BenchResult>> = {
  'workflow-throughput': workflowThroughput,
  gateway: gatewayBenchmark,
  'mirror-and-comparator': mirrorAndComparator,
  'time-to-truth': timeToTruth,
  'memory-under-overload': memoryUnderOverload,
  scaling,
  'read-change-notifications': readChangeNotifications,
};

/** Run only when named: they add minutes and answer a question of their own. */
const ONLY_WHEN_NAMED = new Set(['scaling', 'read-change-notifications']);

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new Error(
      `no benchmark named ${unknown.join(', ')}; there are: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
  }
  const selected =
    names.length > 0 ? names : Object.keys(BENCHMARKS).filter((name) => !ONLY_WHEN_NAMED.has(name));
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!(scale > 0))
    throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
  // Retried activity failures and worker chatter would bury the report.
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const machine = describeMachine();
  const loadAtStart = loadAverage();
  const startedAt = new Date();
  console.log(
    `bench: ${selected.join(', ')} at scale ${scale} on ${machine.cpu} × ${machine.cores}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}`,
  );
  const stack = await BenchStack.up();
  const temporal = stack.env.STACK_TEMPORAL;
  console.log(
    `bench: Temporal ${temporal === 'server' ? 'server (PostgreSQL)' : 'dev server (SQLite)'}`,
  );
  const ctx = new BenchContext(stack, scale);
  const results: Record<string, BenchResult | { error: string }> = {};
  const stopOnSignal = (): void => void teardown().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let tornDown = false;
  async function teardown(): Promise<void> {
    if (tornDown) return;
    tornDown = true;
    await ctx.close().catch(() => undefined);
    await stopAllChildren();
    await stack.down();
  }
  try {
    await stack.warmUpKafka();
    for (const name of selected) {
      const began = Date.now();
      const loadBefore = loadAverage();
      console.log(`\n▶ ${name} (load average ${loadBefore.join(', ')})`);
      try {
        // On a shared machine the figures move with the neighbours' load: kept with them.
        const result = await BENCHMARKS[name]!(ctx);
        results[name] = { ...result, loadAverage: { before: loadBefore, after: loadAverage() } };
      } catch (error) {
        // One broken benchmark still leaves the others' figures.
        console.error(`  ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
        results[name] = { error: error instanceof Error ? error.message : String(error) };
      }
      console.log(`  (${((Date.now() - began) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await teardown();
  }
  const finishedAt = new Date();
  const run = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    scale,
    machine,
    /** Which Temporal the run's stack ran (STACK_TEMPORAL): `dev` or `server`. */
    temporal,
    loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    benchmarks: results,
  };
  printTable(run);
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `${startedAt
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z')}.json`,
  );
  // Formatted as `npm run lint` wants every committed file.
  writeFileSync(file, await format(JSON.stringify(run), { parser: 'json' }));
  console.log(`\nwritten to ${file}`);
  if (Object.values(results).some((r) => 'error' in r)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
