/** The Black Friday scenario's report: what happened, each check with its verdict, printable. */
import type { ScenarioSettings } from './black-friday-settings';
import type { DegradedSwitch } from './black-friday-watch';

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

export interface ScenarioReport {
  settings: ScenarioSettings;
  submitted: number;
  admitted: number;
  shed: number;
  gaveUp: number;
  degradedSwitches: DegradedSwitch[];
  gatewayPeakRssBytes: number;
  drainMs: number | null;
  manualReviews: number;
  outcomes: Record<string, number>;
  reconciliation: { inspected: number; repaired: number; queued: number } | null;
  checks: Check[];
  passed: boolean;
}

export function formatReport(report: ScenarioReport): string {
  const lines = [
    'Black Friday scenario',
    `  orders submitted ${report.submitted}, admitted ${report.admitted}, refused with 429 ${report.shed} times, given up ${report.gaveUp} (${percent(report.gaveUp, report.submitted)})`,
    `  outcomes: ${Object.entries(report.outcomes)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ')}; manual reviews decided by the operator: ${report.manualReviews}`,
    `  degraded mode: ${report.degradedSwitches.map((s) => `${s.active ? 'ON' : 'OFF'} ${s.at}`).join(' → ') || 'never switched'}`,
    `  time to drain after recovery: ${report.drainMs === null ? 'did not drain' : `${(report.drainMs / 1000).toFixed(1)} s`}`,
    `  gateway peak RSS: ${mb(report.gatewayPeakRssBytes)}`,
    '',
    ...report.checks.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name}\n        ${c.detail}`),
    '',
    report.passed ? 'all checks passed' : 'SOME CHECKS FAILED',
  ];
  return lines.join('\n');
}

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** `part` of `whole` as a percentage with one decimal, e.g. `15.6 %`. */
export const percent = (part: number, whole: number): string =>
  `${whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10} %`;

/** `STATUS count, ...` of the orders given. */
export const countByStatus = (orders: { status?: string }[], unknown = 'unread'): string => {
  const byStatus: Record<string, number> = {};
  for (const o of orders) byStatus[o.status ?? unknown] = (byStatus[o.status ?? unknown] ?? 0) + 1;
  return Object.entries(byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
};
