/**
 * The comparator's memory, in PostgreSQL: one row per order and stage, holding each side's
 * decision as it arrives and the verdict once both are in. Every call runs inside the consuming
 * transaction (with the inbox row), under the row's lock, so two facts of one order racing on
 * two partitions cannot both think they came first. Facts that stay alone past the grace
 * window are declared missing on the other side by `sweep`.
 */
import type { Pool, PoolClient } from 'pg';
import type { MigrationStage } from '@order-platform/domain';
import {
  type Decision,
  type Difference,
  type IgnoreRule,
  type StageDecision,
  verdict,
} from './stage-decisions';

export type Side = 'legacy' | 'new';

export type Outcome =
  | 'pending'
  | 'match'
  | 'mismatch'
  | 'missing-in-new'
  | 'missing-in-legacy'
  | 'duplicate'
  | 'out-of-order';

interface Stored {
  decision: Decision;
  sequence: number;
  eventId: string;
}

export interface Comparison {
  orderId: string;
  stage: MigrationStage;
  outcome: Outcome;
  differences: Difference[];
  legacy: Stored | null;
  new: Stored | null;
  /** Ids of the ignore rules that excused every difference (empty: not excused). */
  excusedBy: string[];
}

export class ComparisonStore {
  /** Records one side's decision; returns the comparison as it now stands. */
  async observe(
    tx: PoolClient,
    orderId: string,
    side: Side,
    fact: StageDecision,
    rules: readonly IgnoreRule[],
    now: Date,
  ): Promise<Comparison> {
    const stored: Stored = {
      decision: fact.decision,
      sequence: fact.sequence,
      eventId: fact.eventId,
    };
    const other: Side = side === 'legacy' ? 'new' : 'legacy';
    const { rows } = await tx.query<{
      legacy: Stored | null;
      new: Stored | null;
      outcome: Outcome;
    }>(
      `SELECT legacy, new, outcome FROM stage_comparison
        WHERE order_id = $1 AND stage = $2 FOR UPDATE`,
      [orderId, fact.stage],
    );
    const existing = rows[0];
    const base = { orderId, stage: fact.stage };
    if (!existing) {
      await tx.query(
        `INSERT INTO stage_comparison (order_id, stage, outcome, ${side}, compared_at)
         VALUES ($1, $2, 'pending', $3::jsonb, $4)`,
        [orderId, fact.stage, JSON.stringify(stored), now],
      );
      const comparison = { ...base, outcome: 'pending' as const, differences: [], excusedBy: [] };
      return { ...comparison, legacy: null, new: null, [side]: stored };
    }
    const mine = existing[side];
    if (mine) {
      if (mine.eventId === stored.eventId) {
        return { ...base, ...existing, differences: [], excusedBy: [] } as Comparison;
      }
      // A second, different decision from the same side: said twice, or arrived late.
      const outcome: Outcome = stored.sequence < mine.sequence ? 'out-of-order' : 'duplicate';
      const differences: Difference[] = [
        {
          field: `${side}.eventId`,
          legacy: side === 'legacy' ? mine.eventId : stored.eventId,
          new: side === 'new' ? mine.eventId : stored.eventId,
        },
      ];
      await this.decide(tx, orderId, fact.stage, outcome, differences, null, now);
      return {
        ...base,
        outcome,
        differences,
        legacy: existing.legacy,
        new: existing.new,
        excusedBy: [],
      };
    }
    await tx.query(
      `UPDATE stage_comparison SET ${side} = $3::jsonb WHERE order_id = $1 AND stage = $2`,
      [orderId, fact.stage, JSON.stringify(stored)],
    );
    const theirs = existing[other];
    const both = {
      legacy: side === 'legacy' ? stored : existing.legacy,
      new: side === 'new' ? stored : existing.new,
    };
    if (!theirs)
      return { ...base, outcome: existing.outcome, differences: [], excusedBy: [], ...both };
    const result = verdict(fact.stage, both.legacy!.decision, both.new!.decision, rules, now);
    await this.decide(
      tx,
      orderId,
      fact.stage,
      result.outcome,
      result.differences,
      result.excusedBy[0] ?? null,
      now,
    );
    if (result.excusedBy.length > 0) {
      await tx.query(
        'UPDATE comparison_ignore_rule SET hit_count = hit_count + 1 WHERE id = ANY($1::bigint[])',
        [result.excusedBy],
      );
    }
    return { ...base, ...result, ...both };
  }

  /** Remembers the routes a monolith order started with (from its workflow's OrderAccepted). */
  async rememberRoutes(tx: PoolClient, orderId: string, routes: unknown): Promise<void> {
    await tx.query(
      `INSERT INTO comparison_order (order_id, routes) VALUES ($1, $2::jsonb)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, JSON.stringify(routes)],
    );
  }

  /** The live ignore rules (read once per batch of facts, not per fact). */
  async ignoreRules(db: Pool | PoolClient): Promise<IgnoreRule[]> {
    const { rows } = await db.query<{
      id: string;
      stage: MigrationStage;
      field: string;
      reason: string;
      owner: string;
      expires_at: Date;
    }>(
      `SELECT id::text AS id, stage, field, reason, owner, expires_at FROM comparison_ignore_rule WHERE expires_at > now()`,
    );
    return rows.map((row) => ({ ...row, expiresAt: row.expires_at }));
  }

  /**
   * Declares what stayed alone past the grace window. A decision only the new side made, for an
   * order the monolith has never mentioned, is an order of the platform alone: nothing to compare,
   * so it is dropped rather than reported as missing in the monolith.
   */
  async sweep(pool: Pool, graceMs: number): Promise<Comparison[]> {
    const grace = `${Math.round(graceMs)} milliseconds`;
    // Stages the monolith alone decides for that order: nothing expected from the new side.
    await pool.query(
      `DELETE FROM stage_comparison c USING comparison_order o
        WHERE c.order_id = o.order_id AND c.outcome = 'pending' AND c.new IS NULL
          AND o.routes ->> c.stage = 'legacy' AND c.compared_at < now() - $1::interval`,
      [grace],
    );
    await pool.query(
      `DELETE FROM stage_comparison c
        WHERE c.outcome = 'pending' AND c.legacy IS NULL AND c.compared_at < now() - $1::interval
          AND NOT EXISTS (SELECT 1 FROM stage_comparison o WHERE o.order_id = c.order_id AND o.legacy IS NOT NULL)`,
      [grace],
    );
    const { rows } = await pool.query<{
      order_id: string;
      stage: MigrationStage;
      outcome: Outcome;
      legacy: Stored | null;
      new: Stored | null;
    }>(
      `UPDATE stage_comparison
          SET outcome = CASE WHEN legacy IS NULL THEN 'missing-in-legacy' ELSE 'missing-in-new' END,
              compared_at = now()
        WHERE outcome = 'pending' AND compared_at < now() - $1::interval
        RETURNING order_id, stage, outcome, legacy, new`,
      [grace],
    );
    return rows.map((row) => ({
      orderId: row.order_id,
      stage: row.stage,
      outcome: row.outcome,
      differences: [],
      legacy: row.legacy,
      new: row.new,
      excusedBy: [],
    }));
  }

  private async decide(
    tx: PoolClient,
    orderId: string,
    stage: MigrationStage,
    outcome: Outcome,
    differences: Difference[],
    ignoredBy: string | null,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE stage_comparison SET outcome = $3, differences = $4::jsonb, ignored_by = $5, compared_at = $6
        WHERE order_id = $1 AND stage = $2`,
      [orderId, stage, outcome, JSON.stringify(differences), ignoredBy, now],
    );
  }
}
