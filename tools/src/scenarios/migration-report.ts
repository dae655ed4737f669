/** The migration scenario's report: per stage, per phase, each check with its verdict, printable. */
import type { Check } from './black-friday-report';
import type { MigrationSettings } from './migration-settings';

export interface StageReport {
  stage: string;
  /** From its move to shadow until its first share under new. */
  timeInShadowMs: number | null;
  /** The comparator's evidence when the stage reached new at 100 % (mismatches: the most seen in any sample). */
  sampleSize: number;
  matchRate: number | null;
  outcomes: Record<string, number>;
  mismatchesByField: Record<string, number>;
  promotionsRefused: string[];
  /** Promotions let through by an override, with the reason given. */
  overrides: string[];
  /** Monolith orders that handed this stage over (new) or kept it (legacy or shadow). */
  ordersByRoute: { new: number; monolith: number };
}

export interface PhaseReport {
  phase: string;
  orders: number;
  onMonolith: number;
  onPlatform: number;
  /** Findings per check name (0: clean). */
  findings: Record<string, number>;
}

export interface MigrationReport {
  settings: MigrationSettings;
  durationMs: number;
  stages: StageReport[];
  phases: PhaseReport[];
  intake: {
    promotionsRefused: string[];
    overrides: string[];
    /**
     * Intake is not a compared stage: per share it moved to, what its move rested on (every
     * business stage clearing its bar, with each one's match rate and sample at that moment).
     */
    evidence: string[];
  };
  divergence: { caught: boolean; refusal: string | null };
  rollback: { stage: string; ordersDuringRollback: number; keptUnderNew: number } | null;
  checks: Check[];
  passed: boolean;
}

export const percent = (rate: number | null) =>
  rate === null ? '-' : `${(rate * 100).toFixed(1)} %`;
const seconds = (ms: number | null) => (ms === null ? '-' : `${Math.round(ms / 1000)} s`);

export function formatReport(report: MigrationReport): string {
  const s = report.settings;
  const lines = [
    'Migration scenario',
    `  ${s.ordersPerSecond} orders/s through the facade, ${s.customers} customers, each step held ${seconds(s.phaseMs)}, ramp ${s.rampPercents.join(' → ')} → 100 %; took ${seconds(report.durationMs)}`,
    `  the scenario's own apps: PROMOTION_MIN_SAMPLE=${s.promotionMinSample} (the bar: the default match rate over the latest ${s.promotionMinSample} comparisons), COMPARATOR_GRACE_MS=${s.comparatorGraceMs}`,
    '',
    '  stage        shadow  sample  match    outcomes / mismatches by field                      refused  orders new/monolith',
  ];
  for (const stage of report.stages) {
    const outcomes = Object.entries(stage.outcomes)
      .filter(([, n]) => n > 0)
      .map(([o, n]) => `${o} ${n}`)
      .join(', ');
    const fields = Object.entries(stage.mismatchesByField)
      .map(([f, n]) => `${f} ${n}`)
      .join(', ');
    lines.push(
      `  ${stage.stage.padEnd(12)} ${seconds(stage.timeInShadowMs).padStart(6)}  ${String(stage.sampleSize).padStart(6)}  ${percent(stage.matchRate).padStart(7)}  ${`${outcomes || 'none'}${fields ? ` / ${fields}` : ''}`.padEnd(51)} ${String(stage.promotionsRefused.length).padStart(7)}  ${stage.ordersByRoute.new}/${stage.ordersByRoute.monolith}`,
    );
  }
  lines.push('', '  promotions refused and overrides:');
  for (const stage of report.stages) {
    for (const refusal of stage.promotionsRefused)
      lines.push(`    ${stage.stage}: refused: ${refusal}`);
    for (const override of stage.overrides)
      lines.push(`    ${stage.stage}: OVERRIDDEN: ${override}`);
  }
  for (const refusal of report.intake.promotionsRefused)
    lines.push(`    intake: refused: ${refusal}`);
  for (const override of report.intake.overrides) lines.push(`    intake: OVERRIDDEN: ${override}`);
  for (const evidence of report.intake.evidence) lines.push(`    intake: moved to ${evidence}`);
  lines.push(
    `  the deliberate divergence: ${report.divergence.caught ? `caught, promotion refused (${report.divergence.refusal})` : 'NOT caught'}`,
  );
  if (report.rollback)
    lines.push(
      `  the rollback drill (${report.rollback.stage}): ${report.rollback.ordersDuringRollback} orders placed while rolled back, ${report.rollback.keptUnderNew} of them still handed over (placed before the monolith heard)`,
    );
  lines.push(
    '',
    '  phase                                              orders  monolith  platform  findings',
  );
  for (const phase of report.phases) {
    const findings = Object.values(phase.findings).reduce((a, b) => a + b, 0);
    lines.push(
      `  ${phase.phase.padEnd(49)} ${String(phase.orders).padStart(7)}  ${String(phase.onMonolith).padStart(8)}  ${String(phase.onPlatform).padStart(8)}  ${findings}`,
    );
  }
  lines.push('');
  for (const check of report.checks) {
    lines.push(`  [${check.passed ? 'PASS' : 'FAIL'}] ${check.name}`, `         ${check.detail}`);
  }
  lines.push('', report.passed ? 'PASSED' : 'FAILED');
  return lines.join('\n');
}
