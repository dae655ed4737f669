/**
 * What the status read's change announcements cost the writers. The order status projection
 * (the statement every recorded change of every order runs) is written from 16 connections at
 * once, each updating an order of its own to its next version, while one connection LISTENs as
 * a gateway's does, in rounds of three kinds, their order rotated: the table's notify trigger
 * enabled (as deployed: the platform), disabled (the baseline), and disabled with each write
 * announced after its commit by a transaction of its own (`SELECT pg_notify`: the alternative
 * design). PostgreSQL serialises the commits of transactions that notify; this says what that
 * costs here in writes per second and PostgreSQL's CPU per write, at saturation (an upper bound
 * for a platform that writes less). Paced rounds, trigger on and off, write at a steady
 * `PACED_WRITES_PER_SECOND` instead, well under saturation: there the commits do not queue for
 * the notify lock, and the CPU per write is what the trigger itself costs at a platform's rate.
 * Run only when named: it disables the trigger while it runs.
 */
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { admittedOrderView, type OrderStatusView } from '@order-platform/domain';
import { platformDataSource, TypeOrmOrderStatusProjector } from '@order-platform/stores';
import { placedOrderOf } from '@order-platform/stores/testing';
import type { BenchContext, BenchResult } from '../context';
import { postmasterPid, processTreeCpuMs } from '../support/cpu-time';
import { ratioOf, round } from '../support/stats';

const WRITERS = 16;
const ROUND_MS = 3_000;
/** All writers together in a paced round: about what 25 orders a second ask of the projection. */
const PACED_WRITES_PER_SECOND = 200;
const TRIGGER = 'order_status_read_changed';
const CHANNEL = 'order_read_changed';

interface Round {
  writes: number;
  seconds: number;
  postgresCpuMs?: number;
}

export async function readChangeNotifications(ctx: BenchContext): Promise<BenchResult> {
  const url = ctx.stack.env.DATABASE_URL;
  const dataSource = await platformDataSource(url, {
    applicationName: 'bench-notify-cost',
    maxConnections: WRITERS,
  }).initialize();
  const projector = new TypeOrmOrderStatusProjector(dataSource);
  const admin = new PgClient({ connectionString: url });
  const listener = new PgClient({ connectionString: url });
  await admin.connect();
  await listener.connect();
  let announced = 0;
  listener.on('notification', () => void (announced += 1));
  await listener.query(`LISTEN ${CHANNEL}`);
  const postmaster = postmasterPid(join(ctx.stack.stateDir, 'postgres'));
  const views: OrderStatusView[] = Array.from({ length: WRITERS }, (_, i) => ({
    ...admittedOrderView(placedOrderOf(`c-bench-notify-${i}`)),
    version: 1,
  }));
  for (const view of views) await projector.project(view);

  const measureRound = async ({
    announceAfterCommit = false,
    paced = false,
  }: {
    announceAfterCommit?: boolean;
    paced?: boolean;
  }): Promise<Round> => {
    const cpuBefore = processTreeCpuMs(postmaster);
    const began = Date.now();
    const until = began + ROUND_MS;
    // Paced: each writer on its own evenly spaced slots, the writers' slots interleaved.
    const everyMs = (1000 * WRITERS) / PACED_WRITES_PER_SECOND;
    let writes = 0;
    await Promise.all(
      views.map(async (view, writer) => {
        for (let slot = 0; ; slot += 1) {
          if (paced) {
            const at = began + (slot + writer / WRITERS) * everyMs;
            if (at >= until) break;
            await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
          } else if (Date.now() >= until) break;
          view.version += 1;
          if (!(await projector.project(view)).applied) throw new Error('a write was not applied');
          if (announceAfterCommit)
            await dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, view.orderId]);
          writes += 1;
        }
      }),
    );
    const seconds = (Date.now() - began) / 1000;
    const cpuAfter = processTreeCpuMs(postmaster);
    return {
      writes,
      seconds,
      ...(cpuBefore !== undefined && cpuAfter !== undefined
        ? { postgresCpuMs: cpuAfter - cpuBefore }
        : {}),
    };
  };

  const kinds = ['notifying', 'silent', 'afterCommit', 'notifyingPaced', 'silentPaced'] as const;
  type Kind = (typeof kinds)[number];
  const byKind = <T>(value: () => T) =>
    Object.fromEntries(kinds.map((kind) => [kind, value()])) as Record<Kind, T>;
  const rounds = byKind<Round[]>(() => []);
  const announcedIn = byKind(() => 0);
  const notifies = (kind: Kind) => kind === 'notifying' || kind === 'notifyingPaced';
  // Notifications arrive after their commits: those of a round within moments of its end.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  let triggerEnabled = true;
  const setTrigger = async (enabled: boolean) => {
    if (enabled === triggerEnabled) return;
    await admin.query(
      `ALTER TABLE order_status ${enabled ? 'ENABLE' : 'DISABLE'} TRIGGER ${TRIGGER}`,
    );
    triggerEnabled = enabled;
  };
  try {
    // Each kind of round in turn, the order rotated every cycle: none always follows another.
    for (let cycle = 0; cycle < ctx.scaled(5, 2); cycle += 1) {
      for (let k = 0; k < kinds.length; k += 1) {
        const kind = kinds[(cycle + k) % kinds.length]!;
        await setTrigger(notifies(kind));
        await settle();
        const before = announced;
        rounds[kind].push(
          await measureRound({
            announceAfterCommit: kind === 'afterCommit',
            paced: kind.endsWith('Paced'),
          }),
        );
        await settle();
        announcedIn[kind] += announced - before;
      }
    }
  } finally {
    await setTrigger(true).catch(() => undefined);
    await listener.end();
    await admin.end();
    await dataSource.destroy();
  }

  const total = (side: Round[]) => ({
    writesPerSecond:
      side.reduce((sum, r) => sum + r.writes, 0) / side.reduce((sum, r) => sum + r.seconds, 0),
    cpuMsPerWrite: side.every((r) => r.postgresCpuMs !== undefined)
      ? side.reduce((sum, r) => sum + r.postgresCpuMs!, 0) / side.reduce((s, r) => s + r.writes, 0)
      : undefined,
  });
  const notifying = total(rounds.notifying);
  const silent = total(rounds.silent);
  const afterCommit = total(rounds.afterCommit);
  const notifyingPaced = total(rounds.notifyingPaced);
  const silentPaced = total(rounds.silentPaced);
  const writesIn = (kind: Kind) => rounds[kind].reduce((sum, r) => sum + r.writes, 0);
  // Every announcing write announced, and none while the trigger was off: else the rounds did
  // not measure what they say.
  for (const kind of ['notifying', 'afterCommit', 'notifyingPaced'] as const) {
    if (announcedIn[kind] < writesIn(kind))
      throw new Error(`${kind}: ${writesIn(kind)} writes announced ${announcedIn[kind]} times`);
  }
  for (const kind of ['silent', 'silentPaced'] as const) {
    if (announcedIn[kind] > 0)
      throw new Error(`${kind}: ${announcedIn[kind]} announcements with the trigger disabled`);
  }
  return {
    rows: [
      {
        metric: 'projection writes, 16 at once',
        unit: 'writes/s',
        platform: round(notifying.writesPerSecond),
        baseline: round(silent.writesPerSecond),
        ratio: ratioOf(notifying.writesPerSecond, silent.writesPerSecond),
      },
      ...(notifying.cpuMsPerWrite !== undefined && silent.cpuMsPerWrite !== undefined
        ? [
            {
              metric: 'projection: PostgreSQL CPU per write',
              unit: 'ms',
              platform: round(notifying.cpuMsPerWrite),
              baseline: round(silent.cpuMsPerWrite),
              ratio: ratioOf(notifying.cpuMsPerWrite, silent.cpuMsPerWrite),
            },
          ]
        : []),
      {
        metric: 'projection writes, 16 at once, announced after commit',
        unit: 'writes/s',
        platform: round(afterCommit.writesPerSecond),
        baseline: round(silent.writesPerSecond),
        ratio: ratioOf(afterCommit.writesPerSecond, silent.writesPerSecond),
      },
      ...(notifyingPaced.cpuMsPerWrite !== undefined && silentPaced.cpuMsPerWrite !== undefined
        ? [
            {
              metric: `projection: PostgreSQL CPU per write, paced at ${PACED_WRITES_PER_SECOND}/s`,
              unit: 'ms',
              platform: round(notifyingPaced.cpuMsPerWrite),
              baseline: round(silentPaced.cpuMsPerWrite),
              ratio: ratioOf(notifyingPaced.cpuMsPerWrite, silentPaced.cpuMsPerWrite),
            },
          ]
        : []),
    ],
    details: {
      writers: WRITERS,
      roundMs: ROUND_MS,
      pacedWritesPerSecond: PACED_WRITES_PER_SECOND,
      pacedRates: {
        notifying: round(notifyingPaced.writesPerSecond),
        silent: round(silentPaced.writesPerSecond),
      },
      rounds,
      announcedIn,
    },
  };
}
