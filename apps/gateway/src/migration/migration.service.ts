/**
 * The strangler as operators run it: each stage's route, changes of it behind the promotion
 * guard (domain/src/stage-routing.ts), and the report the guard's evidence comes from, read from
 * the comparator's verdicts in stage_comparison.
 *
 * A stage's sample is its latest `minSample` comparisons: recent enough to reflect the code
 * running now, and the same window for the report and the guard, so what an operator reads is
 * what the guard decides on. A mismatch that an ignore rule excused (ignored_by set) counts as a
 * match: the difference is known and accepted.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  checkIntakeChange,
  checkPromotion,
  defaultIntakeRoute,
  checkStageDependencies,
  defaultStageRoute,
  INTAKE_STAGE,
  MIGRATION_STAGES,
  type MigrationStage,
  type PromotionVerdict,
  type RoutedStage,
  type RouteSetting,
} from '@order-platform/domain';
import {
  ComparisonReportStore,
  recordOperatorAction,
  StageRouteStore,
  type StoredRoute,
} from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import {
  COMPARISON_OUTCOMES,
  type ComparisonOutcome,
  type MigrationQuery,
  type RouteChangeRequest,
  type RouteView,
} from './migration-api.schemas';

const TOP_FIELDS = 5;
const EXAMPLES_PER_FIELD = 3;

interface SampleStats {
  sampleSize: number;
  matchRate: number | null;
  outcomes: Record<ComparisonOutcome, number>;
  excusedMismatches: number;
}

const routeView = <S extends RoutedStage>(
  route: StoredRoute & { stage: S },
): RouteView & { stage: S } => ({
  stage: route.stage,
  mode: route.mode,
  newPercent: route.newPercent,
  updatedAt: route.updatedAt.toISOString(),
  updatedBy: route.updatedBy,
});

@Injectable()
export class MigrationService {
  private readonly comparisons = new ComparisonReportStore();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
    private readonly stageRoutes: StageRouteStore,
  ) {}

  /** Every migration stage's route; one with no row is 'legacy' for all orders (the default). */
  async routes(): Promise<(RouteView & { stage: MigrationStage })[]> {
    const rows = await this.stageRoutes.stored();
    const byStage = new Map(rows.map((row) => [row.stage, row]));
    return MIGRATION_STAGES.map((stage) => {
      const row = byStage.get(stage);
      if (row) return routeView(row);
      const { mode, newPercent } = defaultStageRoute(stage);
      return { stage, mode, newPercent, updatedAt: null, updatedBy: null };
    });
  }

  /** The stages' routes and intake's (the facade's share of customers), as GET /routing lists them. */
  async routing(): Promise<RouteView[]> {
    const [stages, intake] = await Promise.all([this.routes(), this.stageRoutes.intakeRoute()]);
    return [
      ...stages,
      intake
        ? routeView(intake)
        : { stage: INTAKE_STAGE, ...defaultIntakeRoute, updatedAt: null, updatedBy: null },
    ];
  }

  /**
   * One transaction: the stage's route is locked, the guard decides on the sample as committed
   * now, and the route and its audit row are written together or not at all.
   */
  async changeRoute(operatorId: string, stage: RoutedStage, request: RouteChangeRequest) {
    const to: RouteSetting = { mode: request.mode, newPercent: request.newPercent ?? 100 };
    return this.db.transaction(async (tx) => {
      let current: RouteSetting | undefined;
      if (stage === INTAKE_STAGE) {
        current = await this.stageRoutes.lockForChange(tx, stage);
      } else {
        const stored = await this.stageRoutes.lockAllForChange(tx);
        current = stored[stage];
        // No override: a commitment split between the monolith and the platform is never wanted.
        const together = checkStageDependencies({ ...stored, [stage]: to });
        if (!together.allowed) throw problems.conflict('stage-dependency', together.reason);
      }
      const { evidence, judge } =
        stage === INTAKE_STAGE
          ? await this.intakeEvidence(tx, current ?? defaultIntakeRoute, to)
          : await this.stageEvidence(tx, stage, current ?? defaultStageRoute(stage), to);
      const { from } = evidence;
      const verdict = judge(request.overrideReason);
      if (!verdict.allowed)
        throw problems.conflict('promotion-refused', `${stage}: ${verdict.reason}`);
      const route = await this.stageRoutes.change(tx, stage, to, operatorId);
      const auditId = await recordOperatorAction(tx, {
        operatorId,
        action: 'routing-change',
        subject: stage,
        details: {
          from,
          to,
          reason: request.reason,
          overrideReason: request.overrideReason ?? null,
          // Whether the override was what let the change through.
          guard: judge(undefined).allowed ? 'passed' : 'overridden',
          ...evidence.audited,
        },
      });
      return { ...routeView(route), auditId };
    });
  }

  /** A business stage's change is judged on its own latest comparisons. */
  private async stageEvidence(
    tx: EntityManager,
    stage: MigrationStage,
    current: RouteSetting,
    to: RouteSetting,
  ) {
    const bar = this.config.promotion;
    const from: RouteSetting = { mode: current.mode, newPercent: current.newPercent };
    const { matchRate, sampleSize } = (await this.sampleStats(tx, [stage])).get(stage)!;
    const request = { from, to, matchRate, sampleSize, bar };
    return {
      evidence: { from, audited: { matchRate, sampleSize } },
      judge: (overrideReason: string | undefined): PromotionVerdict =>
        checkPromotion({ ...request, overrideReason }),
    };
  }

  /**
   * Intake's change is judged on every business stage: the platform decides every stage of the
   * orders it takes in at the door, so each must clear the bar (domain's checkIntakeChange).
   */
  private async intakeEvidence(tx: EntityManager, current: RouteSetting, to: RouteSetting) {
    const bar = this.config.promotion;
    const from: RouteSetting = { mode: current.mode, newPercent: current.newPercent };
    const stats = await this.sampleStats(tx, [...MIGRATION_STAGES]);
    const stagesBelowBar = [...stats]
      .filter(
        ([, s]) =>
          s.sampleSize < bar.minSample || s.matchRate === null || s.matchRate < bar.minMatchRate,
      )
      .map(([stage, s]) => ({
        stage,
        evidence:
          s.matchRate === null
            ? 'no comparisons yet'
            : `match rate ${(s.matchRate * 100).toFixed(1)} % over ${s.sampleSize} comparisons`,
      }));
    return {
      evidence: { from, audited: { stagesBelowBar } },
      judge: (overrideReason: string | undefined): PromotionVerdict =>
        checkIntakeChange({ from, to, stagesBelowBar, overrideReason }),
    };
  }

  async report(query: MigrationQuery) {
    const bar = this.config.promotion;
    const stages = [...MIGRATION_STAGES];
    const [routes, stats, differences, rules] = await Promise.all([
      this.routes(),
      this.sampleStats(this.db, stages),
      this.topDifferences(stages),
      this.ignoreRules(stages),
    ]);
    const report = {
      asOf: new Date().toISOString(),
      bar,
      stages: routes.map((route) => {
        const sample = stats.get(route.stage)!;
        return {
          ...route,
          ...sample,
          clearsBar:
            sample.sampleSize >= bar.minSample &&
            sample.matchRate !== null &&
            sample.matchRate >= bar.minMatchRate,
          topDifferences: differences.get(route.stage) ?? [],
          ignoreRules: rules.get(route.stage) ?? [],
        };
      }),
    };
    if (query.strict) {
      const failing = report.stages
        .map((stage) => ({
          stage: stage.stage,
          count: stage.outcomes.mismatch - stage.excusedMismatches,
        }))
        .filter((stage) => stage.count > 0);
      if (failing.length > 0) {
        throw problems.conflict(
          'unexcused-mismatches',
          `Mismatches no ignore rule excuses, in the latest ${bar.minSample} comparisons: ${failing
            .map((stage) => `${stage.stage} ${stage.count}`)
            .join(', ')}`,
        );
      }
    }
    return report;
  }

  private sampleWindow(stages: MigrationStage[]) {
    return { stages, sampleSize: this.config.promotion.minSample, outcomes: COMPARISON_OUTCOMES };
  }

  private async sampleStats(
    runner: EntityManager | DataSource,
    stages: MigrationStage[],
  ): Promise<Map<MigrationStage, SampleStats>> {
    const rows = await this.comparisons.outcomeCounts(runner, this.sampleWindow(stages));
    const stats = new Map<MigrationStage, SampleStats>();
    for (const stage of stages) {
      const mine = rows.filter((row) => row.stage === stage);
      const outcomes = Object.fromEntries(
        COMPARISON_OUTCOMES.map((outcome) => [
          outcome,
          mine.find((row) => row.outcome === outcome)?.count ?? 0,
        ]),
      ) as Record<ComparisonOutcome, number>;
      const excusedMismatches = mine.find((row) => row.outcome === 'mismatch')?.excused ?? 0;
      const sampleSize = mine.reduce((sum, row) => sum + row.count, 0);
      stats.set(stage, {
        sampleSize,
        matchRate: sampleSize === 0 ? null : (outcomes.match + excusedMismatches) / sampleSize,
        outcomes,
        excusedMismatches,
      });
    }
    return stats;
  }

  private async topDifferences(stages: MigrationStage[]) {
    const rows = await this.comparisons.topDifferences(this.db, this.sampleWindow(stages), {
      topFields: TOP_FIELDS,
      examplesPerField: EXAMPLES_PER_FIELD,
    });
    const byStage = new Map<
      MigrationStage,
      {
        field: string;
        count: number;
        examples: { orderId: string; legacy: unknown; new: unknown }[];
      }[]
    >();
    for (const row of rows) {
      const fields = byStage.get(row.stage) ?? [];
      byStage.set(row.stage, fields);
      let entry = fields.find((field) => field.field === row.field);
      if (!entry) fields.push((entry = { field: row.field, count: row.count, examples: [] }));
      entry.examples.push({ orderId: row.order_id, legacy: row.legacy, new: row.new });
    }
    return byStage;
  }

  /** Every rule of the stages, live ones first, the most used first. */
  private async ignoreRules(stages: MigrationStage[]) {
    const rows = await this.comparisons.ignoreRules(this.db, stages);
    const byStage = new Map<MigrationStage, unknown[]>();
    for (const row of rows) {
      const rules = byStage.get(row.stage) ?? [];
      byStage.set(row.stage, rules);
      rules.push({
        id: row.id,
        field: row.field,
        reason: row.reason,
        owner: row.owner,
        expiresAt: row.expires_at.toISOString(),
        hitCount: row.hit_count,
        expired: row.expired,
      });
    }
    return byStage;
  }
}
