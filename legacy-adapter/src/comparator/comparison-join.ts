/**
 * The comparator's join: each side's decision of an order's stage (of one notification kind,
 * for notification) is kept until the other's arrives, then the two are judged. Every call runs inside the consuming transaction (with the
 * inbox row), under the comparison row's lock, so two facts of one order racing on two
 * partitions cannot both think they came first. A run of facts (`observeMany`) is judged by the
 * same `step` as one fact, in memory between one locking read and two writes. Facts that stay alone past the grace window are
 * declared missing on the other side by `sweep`. The rows are the stores' (`StageComparisonStore`).
 */
import type { Pool, PoolClient } from 'pg';
import type { IgnoreRule } from '@order-platform/domain';
import {
  type ComparisonKey,
  type ComparisonRow,
  type Outcome,
  type RowWrite,
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

/** One side's fact of a comparison, as the join takes it. */
export interface Observation {
  orderId: string;
  side: Side;
  fact: StageDecision;
}

type Row = ComparisonRow<Stored>;
type Verdict = NonNullable<RowWrite<Stored>['verdict']>;

/**
 * What one fact does to its comparison's row (undefined: none yet): the row after it, the
 * verdict it reached if any, the rules that excused it, and the comparison as it now stands.
 * Pure: `observe` and `observeMany` read and write the rows around it.
 */
function step(
  existing: Row | undefined,
  key: ComparisonKey,
  side: Side,
  fact: StageDecision,
  rules: readonly IgnoreRule[],
  now: Date,
): { row: Row; changed: boolean; verdict?: Verdict; hits: string[]; comparison: Comparison } {
  const stored: Stored = {
    decision: fact.decision,
    sequence: fact.sequence,
    eventId: fact.eventId,
  };
  const other: Side = side === 'legacy' ? 'new' : 'legacy';
  if (!existing) {
    const row: Row = { outcome: 'pending', legacy: null, new: null, [side]: stored };
    return {
      row,
      changed: true,
      hits: [],
      comparison: { ...key, ...row, differences: [], excusedBy: [] },
    };
  }
  const mine = existing[side];
  if (mine) {
    if (mine.eventId === stored.eventId) {
      return {
        row: existing,
        changed: false,
        hits: [],
        comparison: {
          ...key,
          outcome: existing.outcome,
          legacy: existing.legacy,
          new: existing.new,
          differences: [],
          excusedBy: [],
        },
      };
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
    return {
      row: { ...existing, outcome },
      changed: true,
      verdict: { outcome, differences, ignoredBy: null },
      hits: [],
      comparison: {
        ...key,
        outcome,
        differences,
        legacy: existing.legacy,
        new: existing.new,
        excusedBy: [],
      },
    };
  }
  const both = {
    legacy: side === 'legacy' ? stored : existing.legacy,
    new: side === 'new' ? stored : existing.new,
  };
  if (!existing[other]) {
    return {
      row: { ...existing, ...both },
      changed: true,
      hits: [],
      comparison: { ...key, outcome: existing.outcome, differences: [], excusedBy: [], ...both },
    };
  }
  const result = verdict(fact.stage, both.legacy!.decision, both.new!.decision, rules, now);
  return {
    row: { ...both, outcome: result.outcome },
    changed: true,
    verdict: {
      outcome: result.outcome,
      differences: result.differences,
      ignoredBy: result.excusedBy[0] ?? null,
    },
    hits: result.excusedBy,
    comparison: { ...key, ...result, ...both },
  };
}

const keyOf = (orderId: string, fact: StageDecision): ComparisonKey => ({
  orderId,
  stage: fact.stage,
  subject: fact.subject,
});
const keyText = ({ orderId, stage, subject }: ComparisonKey) =>
  `${orderId}\u0000${stage}\u0000${subject}`;

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
    const key = keyOf(orderId, fact);
    let existing = await this.rows.lock<Stored>(tx, key);
    if (!existing) {
      const opened = step(undefined, key, side, fact, rules, now);
      if (await this.rows.open(tx, key, side, opened.row[side], now)) return opened.comparison;
      // The other side's fact, on another partition, opened it first: join it.
      existing = await this.rows.lock<Stored>(tx, key);
      if (!existing) throw new Error(`comparison ${JSON.stringify(key)} neither opened nor found`);
    }
    const next = step(existing, key, side, fact, rules, now);
    if (next.row[side] !== existing[side]) await this.rows.add(tx, key, side, next.row[side]);
    if (next.verdict) await this.rows.decide(tx, key, next.verdict, now);
    await this.rows.countRuleHits(tx, next.hits);
    return next.comparison;
  }

  /**
   * Records a run of facts, in order, as `observe` would one by one, with three statements
   * whatever the run's length: the rows locked (in key order), then inserted or updated as the
   * run left them. A row another transaction opened meanwhile makes it throw (rolled back, the
   * caller takes the facts one at a time).
   * @returns each fact's comparison as it stood after that fact
   */
  async observeMany(
    tx: PoolClient,
    observations: readonly Observation[],
    rules: readonly IgnoreRule[],
    now: Date,
  ): Promise<Comparison[]> {
    const keys = new Map<string, ComparisonKey>();
    for (const { orderId, fact } of observations) {
      const key = keyOf(orderId, fact);
      keys.set(keyText(key), key);
    }
    const state = new Map<string, RowWrite<Stored> & { changed: boolean }>();
    for (const row of await this.rows.lockMany<Stored>(tx, [...keys.values()])) {
      const key = { orderId: row.orderId, stage: row.stage, subject: row.subject };
      const { outcome, legacy } = row;
      state.set(keyText(key), {
        key,
        outcome,
        legacy,
        new: row.new,
        opened: false,
        changed: false,
      });
    }
    const comparisons: Comparison[] = [];
    const hits: string[] = [];
    for (const { orderId, side, fact } of observations) {
      const key = keyOf(orderId, fact);
      const current = state.get(keyText(key));
      const next = step(current, key, side, fact, rules, now);
      comparisons.push(next.comparison);
      hits.push(...next.hits);
      if (!next.changed) continue;
      state.set(keyText(key), {
        key,
        ...next.row,
        opened: current?.opened ?? true,
        // The latest verdict stands, as the row's last `decide` would have left it.
        verdict: next.verdict ?? current?.verdict,
        changed: true,
      });
    }
    await this.rows.writeMany(
      tx,
      [...state.values()].filter((row) => row.changed),
      now,
    );
    await this.rows.countRuleHits(tx, hits);
    return comparisons;
  }

  /** Remembers the routes monolith orders started with (from their workflows' OrderAccepted). */
  rememberRoutes(
    tx: PoolClient,
    orders: readonly { orderId: string; routes: unknown }[],
  ): Promise<void> {
    return this.rows.rememberRoutes(tx, orders);
  }

  /** The live ignore rules (read once per batch of facts, not per fact). */
  ignoreRules(db: Pool | PoolClient): Promise<IgnoreRule[]> {
    return this.rows.liveIgnoreRules(db);
  }

  /** Declares what stayed alone past the grace window (see `StageComparisonStore.sweep`). */
  async sweep(
    pool: Pool,
    graceMs: number,
    follower?: { inbox: string; boundMs: number },
  ): Promise<Comparison[]> {
    const declared = await this.rows.sweep<Stored>(pool, graceMs, follower);
    return declared.map((row) => ({ ...row, differences: [], excusedBy: [] }));
  }
}
