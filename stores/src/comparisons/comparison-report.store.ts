/**
 * The comparator's verdicts as operators read them (`stage_comparison`,
 * `comparison_ignore_rule`): a stage's sample is its latest `sampleSize` verdicts, the same
 * window for the migration report and the promotion guard. A mismatch an ignore rule excused
 * (`ignored_by` set) is counted apart. SQL by hand: lateral "latest N per stage" joins, jsonb
 * unnesting and window functions.
 */
import type { EntityManager } from 'typeorm';
import type { MigrationStage } from '@order-platform/domain';
import type { Outcome } from './stage-comparison.store';

/** Which stages, how many latest verdicts each, and which outcomes count as verdicts. */
export interface SampleWindow {
  stages: readonly MigrationStage[];
  sampleSize: number;
  outcomes: readonly Outcome[];
}

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
       ORDER BY c.compared_at DESC, c.order_id DESC, c.subject DESC
       LIMIT $2) s`;

const OUTCOMES_SQL = `
  SELECT stage, outcome, count(*)::int AS count,
         (count(*) FILTER (WHERE ignored_by IS NOT NULL))::int AS excused
    FROM (${SAMPLE_SQL}) sample
   GROUP BY stage, outcome`;

// Each differing field once per order; fields ranked by the orders they differ in, with the
// latest examples. A differences value that is not an array of {field, legacy, new} is skipped.
const TOP_DIFFERENCES_SQL = (topFields: number, examplesPerField: number) => `
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
   WHERE f.place <= ${Number(topFields)} AND e.n <= ${Number(examplesPerField)}
   ORDER BY f.stage, f.place, e.n`;

/** A transaction's EntityManager, or the DataSource's. */
type Reader = Pick<EntityManager, 'query'>;

export interface OutcomeCount {
  stage: MigrationStage;
  outcome: Outcome;
  count: number;
  /** Of `count`, how many an ignore rule excused. */
  excused: number;
}

export interface DifferenceExample {
  stage: MigrationStage;
  field: string;
  /** Orders of the sample whose unexcused mismatch differs in this field. */
  count: number;
  order_id: string;
  legacy: unknown;
  new: unknown;
}

export interface IgnoreRuleUse {
  id: string;
  stage: MigrationStage;
  field: string;
  reason: string;
  owner: string;
  expires_at: Date;
  hit_count: number;
  expired: boolean;
}

const windowParameters = (window: SampleWindow) => [
  window.stages,
  window.sampleSize,
  window.outcomes,
];

/** One order's comparison of one stage, as the operator's order page shows it. */
export interface OrderComparison {
  stage: string;
  /** What of the stage was compared: '' for a stage decided once, the kind for notification. */
  subject: string;
  outcome: Outcome;
  differences: unknown;
  legacy: unknown;
  new: unknown;
  excused: boolean;
  compared_at: Date;
}

export class ComparisonReportStore {
  /** Every stage comparison of one order (a monolith order's), in the order they were made. */
  forOrder(db: Reader, orderId: string): Promise<OrderComparison[]> {
    return db.query(
      `SELECT stage, subject, outcome, differences, legacy, new,
              ignored_by IS NOT NULL AS excused, compared_at
         FROM stage_comparison WHERE order_id = $1
        ORDER BY compared_at, stage, subject`,
      [orderId],
    );
  }

  /** Verdicts per stage and outcome within the window. */
  outcomeCounts(db: Reader, window: SampleWindow): Promise<OutcomeCount[]> {
    return db.query(OUTCOMES_SQL, windowParameters(window));
  }

  /** The fields unexcused mismatches differ in most, each with its latest examples. */
  topDifferences(
    db: Reader,
    window: SampleWindow,
    limits: { topFields: number; examplesPerField: number },
  ): Promise<DifferenceExample[]> {
    return db.query(
      TOP_DIFFERENCES_SQL(limits.topFields, limits.examplesPerField),
      windowParameters(window),
    );
  }

  /** Every rule of the stages, live ones first, the most used first. */
  ignoreRules(db: Reader, stages: readonly MigrationStage[]): Promise<IgnoreRuleUse[]> {
    return db.query(
      `SELECT id::text AS id, stage, field, reason, owner, expires_at,
              hit_count::float8 AS hit_count, expires_at <= now() AS expired
         FROM comparison_ignore_rule
        WHERE stage = ANY($1::text[])
        ORDER BY expires_at <= now(), hit_count DESC, comparison_ignore_rule.id`,
      [stages],
    );
  }
}
