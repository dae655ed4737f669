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
  checkPromotion,
  defaultStageRoute,
  MIGRATION_STAGES,
  type MigrationRoute,
  type MigrationStage,
  type RouteSetting,
} from '@order-platform/domain';
import { recordOperatorAction } from '@order-platform/runtime';
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

/**
 * The latest $2 verdicts of each stage in $1 (served by stage_comparison_stage_time_idx); rows
 * still waiting for their other side (the comparator's 'pending') are not verdicts yet.
 */
const SAMPLE_SQL = `
  SELECT r.stage, s.order_id, s.outcome, s.differences, s.ignored_by, s.compared_at
    FROM unnest($1::text[]) AS r(stage)
    CROSS JOIN LATERAL (
      SELECT c.order_id, c.outcome, c.differences, c.ignored_by, c.compared_at
        FROM stage_comparison c
       WHERE c.stage = r.stage AND c.outcome = ANY($3::text[])
       ORDER BY c.compared_at DESC, c.order_id DESC
       LIMIT $2) s`;

const OUTCOMES_SQL = `
  SELECT stage, outcome, count(*)::int AS count,
         (count(*) FILTER (WHERE ignored_by IS NOT NULL))::int AS excused
    FROM (${SAMPLE_SQL}) sample
   GROUP BY stage, outcome`;

// Each differing field once per order; fields ranked by the orders they differ in, with the
// latest examples. A differences value that is not an array of {field, legacy, new} is skipped.
const TOP_DIFFERENCES_SQL = `
  WITH unexcused AS (
    SELECT * FROM (${SAMPLE_SQL}) sample WHERE outcome = 'mismatch' AND ignored_by IS NULL
  ), diffs AS (
    SELECT DISTINCT ON (u.stage, u.order_id, d.value->>'field')
           u.stage, u.order_id, u.compared_at, d.value->>'field' AS field,
           d.value->'legacy' AS legacy, d.value->'new' AS new
      FROM unexcused u
     CROSS JOIN LATERAL jsonb_array_elements(
             CASE WHEN jsonb_typeof(u.differences) = 'array' THEN u.differences ELSE '[]'::jsonb END
           ) d
     WHERE jsonb_typeof(d.value) = 'object' AND d.value->>'field' IS NOT NULL
  ), fields AS (
    SELECT stage, field, count(*)::int AS count,
           row_number() OVER (PARTITION BY stage ORDER BY count(*) DESC, field) AS place
      FROM diffs GROUP BY stage, field
  ), examples AS (
    SELECT stage, field, order_id, legacy, new,
           row_number() OVER (PARTITION BY stage, field ORDER BY compared_at DESC, order_id) AS n
      FROM diffs
  )
  SELECT f.stage, f.field, f.count, e.order_id, e.legacy, e.new
    FROM fields f JOIN examples e USING (stage, field)
   WHERE f.place <= ${TOP_FIELDS} AND e.n <= ${EXAMPLES_PER_FIELD}
   ORDER BY f.stage, f.place, e.n`;

interface SampleStats {
  sampleSize: number;
  matchRate: number | null;
  outcomes: Record<ComparisonOutcome, number>;
  excusedMismatches: number;
}

interface RouteRow {
  stage: MigrationStage;
  mode: MigrationRoute;
  new_percent: number;
  updated_at: Date | null;
  updated_by: string | null;
}

const routeView = (row: RouteRow): RouteView => ({
  stage: row.stage,
  mode: row.mode,
  newPercent: row.new_percent,
  updatedAt: row.updated_at?.toISOString() ?? null,
  updatedBy: row.updated_by,
});

@Injectable()
export class MigrationService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
  ) {}

  /** Every migration stage's route; one with no row is 'new' for all orders (the default). */
  async routes(): Promise<RouteView[]> {
    const rows: RouteRow[] = await this.db.query(
      `SELECT stage, mode, new_percent, updated_at, updated_by FROM stage_route
        WHERE stage = ANY($1::text[])`,
      [MIGRATION_STAGES],
    );
    const byStage = new Map(rows.map((row) => [row.stage, row]));
    return MIGRATION_STAGES.map((stage) => {
      const row = byStage.get(stage);
      if (row) return routeView(row);
      const { mode, newPercent } = defaultStageRoute(stage);
      return { stage, mode, newPercent, updatedAt: null, updatedBy: null };
    });
  }

  /**
   * One transaction: the stage's route is locked, the guard decides on the sample as committed
   * now, and the route and its audit row are written together or not at all.
   */
  async changeRoute(operatorId: string, stage: MigrationStage, request: RouteChangeRequest) {
    const bar = this.config.promotion;
    const to: RouteSetting = { mode: request.mode, newPercent: request.newPercent ?? 100 };
    return this.db.transaction(async (tx) => {
      const [current]: RouteRow[] = await tx.query(
        'SELECT mode, new_percent FROM stage_route WHERE stage = $1 FOR UPDATE',
        [stage],
      );
      const from: RouteSetting = current
        ? { mode: current.mode, newPercent: current.new_percent }
        : { mode: defaultStageRoute(stage).mode, newPercent: defaultStageRoute(stage).newPercent };
      const { matchRate, sampleSize } = (await this.sampleStats(tx, [stage])).get(stage)!;
      const evidence = { from, to, matchRate, sampleSize, bar };
      const verdict = checkPromotion({ ...evidence, overrideReason: request.overrideReason });
      if (!verdict.allowed)
        throw problems.conflict('promotion-refused', `${stage}: ${verdict.reason}`);
      const [route]: RouteRow[] = await tx.query(
        `INSERT INTO stage_route (stage, mode, new_percent, updated_at, updated_by)
         VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (stage) DO UPDATE
            SET mode = EXCLUDED.mode, new_percent = EXCLUDED.new_percent,
                updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING stage, mode, new_percent, updated_at, updated_by`,
        [stage, to.mode, to.newPercent, operatorId],
      );
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
          guard: checkPromotion(evidence).allowed ? 'passed' : 'overridden',
          matchRate,
          sampleSize,
        },
      });
      return { ...routeView(route!), auditId };
    });
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

  private sampleParameters(stages: MigrationStage[]) {
    return [stages, this.config.promotion.minSample, COMPARISON_OUTCOMES];
  }

  private async sampleStats(
    runner: EntityManager | DataSource,
    stages: MigrationStage[],
  ): Promise<Map<MigrationStage, SampleStats>> {
    const rows: {
      stage: MigrationStage;
      outcome: ComparisonOutcome;
      count: number;
      excused: number;
    }[] = await runner.query(OUTCOMES_SQL, this.sampleParameters(stages));
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
    const rows: {
      stage: MigrationStage;
      field: string;
      count: number;
      order_id: string;
      legacy: unknown;
      new: unknown;
    }[] = await this.db.query(TOP_DIFFERENCES_SQL, this.sampleParameters(stages));
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
    const rows: {
      id: string;
      stage: MigrationStage;
      field: string;
      reason: string;
      owner: string;
      expires_at: Date;
      hit_count: number;
      expired: boolean;
    }[] = await this.db.query(
      `SELECT id::text AS id, stage, field, reason, owner, expires_at,
              hit_count::float8 AS hit_count, expires_at <= now() AS expired
         FROM comparison_ignore_rule
        WHERE stage = ANY($1::text[])
        ORDER BY expires_at <= now(), hit_count DESC, comparison_ignore_rule.id`,
      [stages],
    );
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
