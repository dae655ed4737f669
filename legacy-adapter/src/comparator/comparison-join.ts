/**
 * The comparator's join: each side's decision of an order's stage (of one notification kind,
 * for notification) is kept until the other's arrives, then the two are judged. Every call runs inside the consuming transaction (with the
 * inbox row), under the comparison row's lock, so two facts of one order racing on two
 * partitions cannot both think they came first. Facts that stay alone past the grace window are
 * declared missing on the other side by `sweep`. The rows are the stores' (`StageComparisonStore`).
 */
import type { Pool, PoolClient } from 'pg';
import type { IgnoreRule } from '@order-platform/domain';
import {
  type ComparisonKey,
  type Outcome,
  type Side,
  StageComparisonStore,
} from '@order-platform/stores';
import { type Decision, type Difference, type StageDecision, verdict } from './stage-decisions';

/** One side's decision as the row keeps it. */
interface Stored {
  decision: Decision;
  sequence: number;
  eventId: string;
}

export interface Comparison extends ComparisonKey {
  outcome: Outcome;
  differences: Difference[];
  legacy: Stored | null;
  new: Stored | null;
  /** Ids of the ignore rules that excused every difference (empty: not excused). */
  excusedBy: string[];
}

export class ComparisonJoin {
  private readonly rows = new StageComparisonStore();

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
    const key: ComparisonKey = { orderId, stage: fact.stage, subject: fact.subject };
    let existing = await this.rows.lock<Stored>(tx, key);
    const base = key;
    if (!existing) {
      if (await this.rows.open(tx, key, side, stored, now)) {
        const comparison = { ...base, outcome: 'pending' as const, differences: [], excusedBy: [] };
        return { ...comparison, legacy: null, new: null, [side]: stored };
      }
      // The other side's fact, on another partition, opened it first: join it.
      existing = await this.rows.lock<Stored>(tx, key);
      if (!existing) throw new Error(`comparison ${JSON.stringify(key)} neither opened nor found`);
    }
    const mine = existing[side];
    if (mine) {
      if (mine.eventId === stored.eventId) {
        return { ...base, ...existing, differences: [], excusedBy: [] };
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
      await this.rows.decide(tx, key, { outcome, differences, ignoredBy: null }, now);
      return {
        ...base,
        outcome,
        differences,
        legacy: existing.legacy,
        new: existing.new,
        excusedBy: [],
      };
    }
    await this.rows.add(tx, key, side, stored);
    const theirs = existing[other];
    const both = {
      legacy: side === 'legacy' ? stored : existing.legacy,
      new: side === 'new' ? stored : existing.new,
    };
    if (!theirs)
      return { ...base, outcome: existing.outcome, differences: [], excusedBy: [], ...both };
    const result = verdict(fact.stage, both.legacy!.decision, both.new!.decision, rules, now);
    await this.rows.decide(
      tx,
      key,
      {
        outcome: result.outcome,
        differences: result.differences,
        ignoredBy: result.excusedBy[0] ?? null,
      },
      now,
    );
    await this.rows.countRuleHits(tx, result.excusedBy);
    return { ...base, ...result, ...both };
  }

  /** Remembers the routes a monolith order started with (from its workflow's OrderAccepted). */
  rememberRoutes(tx: PoolClient, orderId: string, routes: unknown): Promise<void> {
    return this.rows.rememberRoutes(tx, orderId, routes);
  }

  /** The live ignore rules (read once per batch of facts, not per fact). */
  ignoreRules(db: Pool | PoolClient): Promise<IgnoreRule[]> {
    return this.rows.liveIgnoreRules(db);
  }

  /** Declares what stayed alone past the grace window (see `StageComparisonStore.sweep`). */
  async sweep(pool: Pool, graceMs: number): Promise<Comparison[]> {
    const declared = await this.rows.sweep<Stored>(pool, graceMs);
    return declared.map((row) => ({ ...row, differences: [], excusedBy: [] }));
  }
}
