/**
 * One fault, run the same way every time: orders stream in, the fault hits once a few are
 * accepted (how many are mid-way is counted then), the fault heals, the stream finishes, and
 * the platform gets a recovery window to bring every order to rest before the audit. The
 * recovery time is reported, never asserted: on a shared 2-core machine it says how long, not
 * whether.
 */
import { loadavg } from 'node:os';
import type { Findings } from './findings';
import { type FaultWorld, ordersInFlight, waitUntilSettled } from './settling';
import type { MonolithOrderStream, PlatformOrderStream, StreamedOrder } from './order-streams';

export interface FaultRow {
  fault: string;
  orders: number;
  inFlight: number;
  lost: number;
  doubleCharges: number;
  duplicates: number;
  /** From the fault healing to every order at rest; undefined when they never came to rest. */
  recoveryMs: number | undefined;
  /** The machine's 1-minute load average when the audit began: recovery times depend on it. */
  load: number;
}

export interface FaultPlan {
  name: string;
  platform?: PlatformOrderStream;
  legacy?: MonolithOrderStream;
  count: number;
  intervalMs: number;
  /** Orders accepted (on the first stream) before the fault hits. */
  injectAfter: number;
  /** Injects the fault and heals it; resolves when it is healed. */
  inject: () => Promise<void>;
  /** How long the platform gets after the fault healed to bring every order to rest. */
  recoveryWindowMs?: number;
}

export interface FaultOutcome {
  orders: StreamedOrder[];
  inFlight: number;
  healedAt: number;
  settledAt: number | undefined;
}

export async function runFault(world: FaultWorld, plan: FaultPlan): Promise<FaultOutcome> {
  const streams = [plan.platform, plan.legacy].filter((s) => s !== undefined);
  const running = streams.map((s) => s.run({ count: plan.count, intervalMs: plan.intervalMs }));
  await streams[0]!.afterAccepted(plan.injectAfter);
  const accepted = () => streams.flatMap((s) => s.accepted);
  const inFlight = await ordersInFlight(world, accepted());
  await plan.inject();
  const healedAt = Date.now();
  await Promise.all(running);
  const settledAt = await waitUntilSettled(world, accepted(), plan.recoveryWindowMs ?? 90_000);
  return { orders: accepted(), inFlight, healedAt, settledAt };
}

/** Findings name the order first (`<orderId>: what`); an order counts once per column. */
const ordersIn = (...lists: string[][]): number =>
  new Set(lists.flat().map((finding) => finding.split(':')[0])).size;

export function rowOf(name: string, outcome: FaultOutcome, findings: Findings): FaultRow {
  return {
    fault: name,
    orders: outcome.orders.length,
    inFlight: outcome.inFlight,
    lost: ordersIn(findings.lost),
    doubleCharges: ordersIn(findings.doubleCharges),
    duplicates: ordersIn(findings.duplicateNotifications, findings.contradictoryNotifications),
    recoveryMs:
      outcome.settledAt === undefined
        ? undefined
        : Math.max(0, outcome.settledAt - outcome.healedAt),
    load: loadavg()[0]!,
  };
}

/** The table the suite prints at the end (Markdown, so it pastes into docs/benchmarks.md as is). */
export function faultTable(rows: FaultRow[]): string {
  const header = [
    'fault',
    'orders',
    'orders in flight',
    'lost',
    'double charges',
    'duplicates',
    'recovery time',
    'load (1 min)',
  ];
  const body = rows.map((row) => [
    row.fault,
    String(row.orders),
    String(row.inFlight),
    String(row.lost),
    String(row.doubleCharges),
    String(row.duplicates),
    row.recoveryMs === undefined ? 'did not recover' : `${(row.recoveryMs / 1000).toFixed(1)} s`,
    row.load.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...body.map(line),
  ].join('\n');
}
