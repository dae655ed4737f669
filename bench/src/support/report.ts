/** The table a run prints: one line per figure, the platform beside its baseline. */
import type { BenchResult } from '../context';
import type { Machine } from './machine';

export interface BenchRun {
  startedAt: string;
  durationSeconds: number;
  scale: number;
  machine: Machine;
  /** `dev` (the CLI's dev server) or `server` (the Temporal server on PostgreSQL). */
  temporal: string;
  /** The machine's 1/5/15-minute load averages as the run began and ended (shared cores). */
  loadAverage: { atStart: number[]; atEnd: number[] };
  benchmarks: Record<string, BenchResult | { error: string }>;
}

export function printTable(run: BenchRun): void {
  const lines: string[][] = [['benchmark', 'metric', 'platform', 'baseline', 'ratio']];
  for (const [name, result] of Object.entries(run.benchmarks)) {
    if ('error' in result) {
      lines.push([name, `FAILED: ${result.error.slice(0, 80)}`, '', '', '']);
      continue;
    }
    for (const row of result.rows) {
      lines.push([
        name,
        row.metric,
        `${row.platform} ${row.unit}`,
        row.baseline === undefined ? '—' : `${row.baseline} ${row.unit}`,
        row.ratio === undefined ? '—' : `${row.ratio}`,
      ]);
    }
  }
  const widths = lines[0]!.map((_, column) =>
    Math.max(...lines.map((line) => line[column]!.length)),
  );
  const { machine } = run;
  console.log(
    `\n${run.startedAt}, scale ${run.scale}, ${run.durationSeconds} s: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; Temporal ${run.temporal}; load average ${run.loadAverage.atStart.join(' ')} at the start, ${run.loadAverage.atEnd.join(' ')} at the end\n`,
  );
  for (const line of lines) console.log(line.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}
