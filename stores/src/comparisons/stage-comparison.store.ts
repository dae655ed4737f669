/**
 * The comparator's rows (`stage_comparison`, `comparison_order`, `comparison_ignore_rule`): one
 * row per order, stage and subject (a stage compared several times per order, notification per
 * kind; '' otherwise) holding each side's decision as it arrives and the verdict once both are
 * in. The per-fact calls (and their bulk forms for a run of facts, `lockMany`, `writeMany`)
 * run inside the reliable consumer's transaction (with the inbox rows), under the rows' locks. SQL by hand: that transaction is a pg client, not TypeORM's, and
 * the side's column is chosen per call.
 */
import type { Pool, PoolClient } from 'pg';
import type { IgnoreRule, MigrationStage } from '@order-platform/domain';

export type Side = 'legacy' | 'new';

export type Outcome =
  | 'pending'
  | 'match'
  | 'mismatch'
  | 'missing-in-new'
  | 'missing-in-legacy'
  | 'duplicate'
  | 'out-of-order';

/**
 * What a row holds per side: the comparator's own JSON (its decision, where in the lifecycle,
 * and the `eventId` of the fact it came from, which `sweep` looks up in a follower's inbox).
 */
export interface ComparisonRow<S> {
  outcome: Outcome;
  legacy: S | null;
  new: S | null;
}

type Executor = Pick<PoolClient, 'query'>;

/** Which comparison: an order's stage, and which of its comparisons of that stage. */
export interface ComparisonKey {
  orderId: string;
  stage: MigrationStage;
  /** '' for a stage compared once per order; the kind for notification. */
  subject: string;
}

const keyParameters = ({ orderId, stage, subject }: ComparisonKey) => [orderId, stage, subject];
const WHERE_KEY = 'order_id = $1 AND stage = $2 AND subject = $3';

export class StageComparisonStore {
  /** The comparison's row, locked until `tx` ends; undefined when none yet. */
  async lock<S>(tx: PoolClient, key: ComparisonKey): Promise<ComparisonRow<S> | undefined> {
    const { rows } = await tx.query<ComparisonRow<S>>(
      `SELECT legacy, new, outcome FROM stage_comparison WHERE ${WHERE_KEY} FOR UPDATE`,
      keyParameters(key),
    );
    return rows[0];
  }

  /**
   * The first side's decision: a pending row.
   * @returns false when another transaction opened the row first (the insert waited for it to
   *   commit): `lock` it again and add to it instead
   */
  async open<S>(
    tx: PoolClient,
    key: ComparisonKey,
    side: Side,
    decision: S,
    now: Date,
  ): Promise<boolean> {
    const inserted = await tx.query(
      `INSERT INTO stage_comparison (order_id, stage, subject, outcome, ${column(side)}, compared_at)
       VALUES ($1, $2, $3, 'pending', $4::jsonb, $5) ON CONFLICT DO NOTHING`,
      [...keyParameters(key), JSON.stringify(decision), now],
    );
    return inserted.rowCount === 1;
  }

  /** The other side's decision, on the row `lock` found. */
  async add<S>(tx: PoolClient, key: ComparisonKey, side: Side, decision: S): Promise<void> {
    await tx.query(`UPDATE stage_comparison SET ${column(side)} = $4::jsonb WHERE ${WHERE_KEY}`, [
      ...keyParameters(key),
      JSON.stringify(decision),
    ]);
  }

  /** The verdict; `ignoredBy` is the rule that excused it, if one did. */
  async decide(
    tx: PoolClient,
    key: ComparisonKey,
    verdict: { outcome: Outcome; differences: unknown[]; ignoredBy: string | null },
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE stage_comparison SET outcome = $4, differences = $5::jsonb, ignored_by = $6, compared_at = $7
        WHERE ${WHERE_KEY}`,
      [
        ...keyParameters(key),
        verdict.outcome,
        JSON.stringify(verdict.differences),
        verdict.ignoredBy,
        now,
      ],
    );
  }

  /**
   * Several comparisons' rows, locked until `tx` ends, in key order (two transactions locking
   * overlapping sets wait for each other instead of deadlocking); absent keys have no row yet.
   */
  async lockMany<S>(
    tx: PoolClient,
    keys: readonly ComparisonKey[],
  ): Promise<(ComparisonRow<S> & ComparisonKey)[]> {
    if (keys.length === 0) return [];
    const { rows } = await tx.query<
      ComparisonRow<S> & { order_id: string; stage: MigrationStage; subject: string }
    >(
      `SELECT order_id, stage, subject, legacy, new, outcome FROM stage_comparison
        WHERE (order_id, stage, subject) IN
              (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
        ORDER BY order_id, stage, subject FOR UPDATE`,
      [keys.map((k) => k.orderId), keys.map((k) => k.stage), keys.map((k) => k.subject)],
    );
    return rows.map(({ order_id, ...row }) => ({ ...row, orderId: order_id }));
  }

  /**
   * Writes rows as a run of facts left them, in two statements: `opened` ones inserted (none may
   * exist: another transaction that opened one first makes this throw, and the caller takes the
   * facts again one at a time), the others updated; `verdict` set where one was reached.
   */
  async writeMany<S>(tx: PoolClient, rows: readonly RowWrite<S>[], now: Date): Promise<void> {
    const columns = (list: readonly RowWrite<S>[]) => [
      list.map((r) => r.key.orderId),
      list.map((r) => r.key.stage),
      list.map((r) => r.key.subject),
      list.map((r) => (r.legacy === null ? null : JSON.stringify(r.legacy))),
      list.map((r) => (r.new === null ? null : JSON.stringify(r.new))),
      list.map((r) => r.verdict !== undefined),
      list.map((r) => r.verdict?.outcome ?? r.outcome),
      list.map((r) => JSON.stringify(r.verdict?.differences ?? [])),
      list.map((r) => r.verdict?.ignoredBy ?? null),
    ];
    const VALUES = `unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::bool[],
                           $7::text[], $8::jsonb[], $9::bigint[])
                    AS v(order_id, stage, subject, legacy, new, decided, outcome, differences, ignored_by)`;
    const opened = rows.filter((r) => r.opened);
    if (opened.length > 0) {
      const inserted = await tx.query(
        `INSERT INTO stage_comparison
                (order_id, stage, subject, legacy, new, outcome, differences, ignored_by, compared_at)
         SELECT order_id, stage, subject, legacy, new, outcome, differences, ignored_by, $10
           FROM ${VALUES}
         ON CONFLICT DO NOTHING`,
        [...columns(opened), now],
      );
      if (inserted.rowCount !== opened.length) {
        throw new Error('a comparison row was opened by a concurrent transaction');
      }
    }
    const updated = rows.filter((r) => !r.opened);
    if (updated.length > 0) {
      await tx.query(
        `UPDATE stage_comparison c
            SET legacy = v.legacy, new = v.new,
                outcome = CASE WHEN v.decided THEN v.outcome ELSE c.outcome END,
                differences = CASE WHEN v.decided THEN v.differences ELSE c.differences END,
                ignored_by = CASE WHEN v.decided THEN v.ignored_by ELSE c.ignored_by END,
                compared_at = CASE WHEN v.decided THEN $10 ELSE c.compared_at END
           FROM ${VALUES}
          WHERE c.order_id = v.order_id AND c.stage = v.stage AND c.subject = v.subject`,
        [...columns(updated), now],
      );
    }
  }

  /** Counts one more use of each rule that excused a verdict. */
  async countRuleHits(tx: PoolClient, ruleIds: readonly string[]): Promise<void> {
    if (ruleIds.length === 0) return;
    // A rule named n times (several verdicts of one run) gets n hits.
    const hits = new Map<string, number>();
    for (const id of ruleIds) hits.set(id, (hits.get(id) ?? 0) + 1);
    await tx.query(
      `UPDATE comparison_ignore_rule r SET hit_count = hit_count + v.n
         FROM unnest($1::bigint[], $2::int[]) AS v(id, n) WHERE r.id = v.id`,
      [[...hits.keys()], [...hits.values()]],
    );
  }

  /**
   * Remembers the routes monolith orders started with (from their workflows' OrderAccepted; the
   * first an order is told wins). A workflow that lagged past the grace window had its order's
   * lone legacy decisions declared missing in new; those of the stages the monolith alone decides
   * were never expected, so they go, as the sweep drops them when the routes come in time.
   */
  async rememberRoutes(
    tx: PoolClient,
    orders: readonly { orderId: string; routes: unknown }[],
  ): Promise<void> {
    if (orders.length === 0) return;
    const orderIds = orders.map((o) => o.orderId);
    await tx.query(
      `INSERT INTO comparison_order (order_id, routes)
       SELECT * FROM unnest($1::text[], $2::jsonb[])
       ON CONFLICT (order_id) DO NOTHING`,
      [orderIds, orders.map((o) => JSON.stringify(o.routes))],
    );
    await tx.query(
      `DELETE FROM stage_comparison c USING comparison_order o
        WHERE c.order_id = ANY($1::text[]) AND o.order_id = c.order_id AND c.new IS NULL
          AND c.outcome IN ('pending', 'missing-in-new') AND o.routes ->> c.stage = 'legacy'`,
      [orderIds],
    );
  }

  /** The ignore rules that have not expired. */
  async liveIgnoreRules(db: Executor): Promise<IgnoreRule[]> {
    const { rows } = await db.query<Omit<IgnoreRule, 'expiresAt'> & { expires_at: Date }>(
      `SELECT id::text AS id, stage, field, reason, owner, expires_at FROM comparison_ignore_rule WHERE expires_at > now()`,
    );
    return rows.map((row) => ({ ...row, expiresAt: row.expires_at }));
  }

  /**
   * Ends what stayed pending past the grace window: drops the rows nothing is expected for (a
   * stage the monolith alone decides for that order; a decision only the new side made, for an
   * order the monolith never mentioned) and declares the rest missing on their other side.
   *
   * With `follower` (the inbox of the consumer that hands monolith facts to the platform: the
   * signal bridge), a monolith decision alone is missing in new only once the grace has passed
   * since the follower took that fact, and with it every earlier fact of its order (one order,
   * one partition, in order): before that the platform could not have decided, it is behind. A
   * fact the follower never takes (dead-lettered, the follower gone) is declared anyway once the
   * row is `follower.boundMs` old.
   * @returns the rows declared missing
   */
  async sweep<S>(
    pool: Pool,
    graceMs: number,
    follower?: { inbox: string; boundMs: number },
  ): Promise<(ComparisonRow<S> & ComparisonKey)[]> {
    const grace = `${Math.round(graceMs)} milliseconds`;
    const bound = `${Math.round(follower?.boundMs ?? graceMs)} milliseconds`;
    // One "now" for every statement: with each its own, a row crossing the grace between the
    // drop and the declaration was declared missing although nothing was expected for it.
    const at = (await pool.query<{ at: Date }>('SELECT now() AS at')).rows[0]!.at;
    await pool.query(
      `DELETE FROM stage_comparison c USING comparison_order o
        WHERE c.order_id = o.order_id AND c.outcome = 'pending' AND c.new IS NULL
          AND o.routes ->> c.stage = 'legacy' AND c.compared_at < $2::timestamptz - $1::interval`,
      [grace, at],
    );
    await pool.query(
      `DELETE FROM stage_comparison c
        WHERE c.outcome = 'pending' AND c.legacy IS NULL AND c.compared_at < $2::timestamptz - $1::interval
          AND NOT EXISTS (SELECT 1 FROM stage_comparison o WHERE o.order_id = c.order_id AND o.legacy IS NOT NULL)`,
      [grace, at],
    );
    const { rows } = await pool.query<
      ComparisonRow<S> & { order_id: string; stage: MigrationStage; subject: string }
    >(
      `UPDATE stage_comparison c
          SET outcome = CASE WHEN c.legacy IS NULL THEN 'missing-in-legacy' ELSE 'missing-in-new' END,
              compared_at = $4::timestamptz
        WHERE c.outcome = 'pending' AND c.compared_at < $4::timestamptz - $1::interval
          AND (c.legacy IS NULL OR $2::text IS NULL OR c.compared_at < $4::timestamptz - $3::interval
               OR EXISTS (SELECT 1 FROM inbox_event i
                           WHERE i.consumer = $2 AND i.event_id = c.legacy ->> 'eventId'
                             AND i.processed_at < $4::timestamptz - $1::interval))
        RETURNING c.order_id, c.stage, c.subject, c.outcome, c.legacy, c.new`,
      [grace, follower?.inbox ?? null, bound, at],
    );
    return rows.map(({ order_id, ...row }) => ({ ...row, orderId: order_id }));
  }
}

/** A comparison row as a run of facts left it, for `writeMany`. */
export interface RowWrite<S> extends ComparisonRow<S> {
  key: ComparisonKey;
  /** No row existed: inserted, not updated. */
  opened: boolean;
  /** The verdict reached in the run, if one was. */
  verdict?: { outcome: Outcome; differences: unknown[]; ignoredBy: string | null };
}

/** The side's column; never a caller's string in the SQL. */
const column = (side: Side): 'legacy' | 'new' => (side === 'legacy' ? 'legacy' : 'new');
