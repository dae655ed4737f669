/**
 * CPU time a process (and optionally its children) has used, from /proc (Linux): user plus
 * system time in milliseconds. On a shared machine a rate moves with the neighbours' load; the
 * CPU spent per request moves much less, so the benchmarks report both.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** Its own CPU and that of the children it has waited for after they ended. */
  cpuMs: number;
  /** Only the latter: a PostgreSQL backend whose connection closed, say. */
  reapedMs: number;
}

const ms = (ticks: number): number => (ticks * 1000) / TICKS_PER_SECOND;

function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields follow its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14 to 17)
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    return {
      ppid: Number(fields[1]),
      cpuMs: ms(utime + stime + cutime + cstime),
      reapedMs: ms(cutime + cstime),
    };
  } catch {
    return undefined; // gone, or not Linux
  }
}

/** CPU milliseconds used so far by `pid` and its ended children, or undefined where /proc cannot tell. */
export const cpuMsOf = (pid: number): number | undefined => procStat(pid)?.cpuMs;

/** CPU milliseconds used so far by the children of `pid` that are alive now, and theirs. */
function childrenCpuMs(pid: number): number | undefined {
  if (!existsSync('/proc')) return undefined;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === pid) total += stat.cpuMs;
  }
  return total;
}

/** The pid on the first line of `file` (a pid file, PostgreSQL's `postmaster.pid`). */
export function pidInFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The postmaster's pid, from `postmaster.pid` in the data folder. */
export const postmasterPid = (dataDir: string): number | undefined =>
  pidInFile(join(dataDir, 'postmaster.pid'));

/** CPU ms used so far by each process (or group) a side is measured on; undefined: unknown. */
export type CpuMeter = () => Record<string, number | undefined>;

/** CPU ms per unit of work (a request, an order) by process, between two readings of a meter. */
export function cpuMsPer(
  before: Record<string, number | undefined>,
  after: Record<string, number | undefined>,
  units: number,
): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [process, end] of Object.entries(after)) {
    const start = before[process];
    if (end !== undefined && start !== undefined) spent[process] = (end - start) / units;
  }
  return spent;
}

/**
 * CPU per unit over several measured runs, by process: a process's CPU added up over the runs
 * that metered it, over their units (a run that did not meter a process adds nothing to it);
 * undefined when no run metered any process.
 */
export function cpuMsPerAcross(
  runs: readonly { units: number; cpuMsPer?: Record<string, number> }[],
): Record<string, number> | undefined {
  const spent: Record<string, { ms: number; units: number }> = {};
  for (const run of runs)
    for (const [process, ms] of Object.entries(run.cpuMsPer ?? {})) {
      const sum = (spent[process] ??= { ms: 0, units: 0 });
      sum.ms += ms * run.units;
      sum.units += run.units;
    }
  if (Object.keys(spent).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(spent).map(([process, sum]) => [process, sum.ms / sum.units]),
  );
}

/**
 * A process and the children it started (a launcher script and its JVM; PostgreSQL's postmaster
 * and its backends, the ended ones too).
 */
export const processTreeCpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  // A child reaped while its siblings are read would be in neither reading: read the parent
  // again after them, and everything again if its reaped time moved meanwhile.
  for (let attempt = 0; ; attempt += 1) {
    const own = procStat(pid);
    if (own === undefined) return undefined;
    const children = childrenCpuMs(pid) ?? 0;
    if (procStat(pid)?.reapedMs === own.reapedMs || attempt === 4) return own.cpuMs + children;
  }
};
