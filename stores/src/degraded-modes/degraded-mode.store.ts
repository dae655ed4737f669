/**
 * The degraded modes as stored (`degraded_mode`): read by orders at decision time, switched by
 * the backlog monitor, configured by operators. Every switch and every configuration change
 * writes its audit record in the same transaction as the change. Hand-written SQL: the row is
 * created on first use (INSERT ... ON CONFLICT DO NOTHING), locked, and switched with CASE in
 * one statement, which TypeORM's repositories cannot say.
 */
import type { DataSource, EntityManager } from 'typeorm';
import {
  DEFAULT_DEGRADED_MODE,
  type DegradedModeConfig,
  type DegradedModeName,
  type FraudBacklog,
  nextDegradedState,
} from '@order-platform/domain';
import { recordOperatorAction, recentOperatorActions } from '../audit/operator-audit';

export interface DegradedModeState {
  name: DegradedModeName;
  config: DegradedModeConfig;
  active: boolean;
  reason: string | null;
  changedAt: string;
  measured: FraudBacklog | null;
  measuredAt: string | null;
}

interface Row {
  name: DegradedModeName;
  config: Partial<DegradedModeConfig>;
  active: boolean;
  reason: string | null;
  changed_at: Date;
  measured: FraudBacklog | null;
  measured_at: Date | null;
}

/** Who switches modes on and off in the audit trail. */
export const BACKLOG_MONITOR_ACTOR = 'backlog-monitor';

/** The modes of one order task queue (each queue's monitor switches its own). */
export class DegradedModeStore {
  constructor(
    private readonly db: DataSource,
    private readonly taskQueue: string,
  ) {}

  /** How the audit trail names a mode of this queue. */
  subjectOf(name: DegradedModeName): string {
    return `${name}@${this.taskQueue}`;
  }

  /** The latest switches and configuration changes of this queue's modes, newest first. */
  recentChanges(names: readonly DegradedModeName[], limit: number) {
    return recentOperatorActions(this.db, {
      actionPrefix: 'degraded-mode.',
      subjects: names.map((name) => this.subjectOf(name)),
      limit,
    });
  }

  /** Read by every order at its fraud decision: a plain read, the row is created only once. */
  async get(name: DegradedModeName): Promise<DegradedModeState> {
    const rows: Row[] = await this.db.query(
      'SELECT * FROM degraded_mode WHERE name = $1 AND task_queue = $2',
      [name, this.taskQueue],
    );
    if (rows[0]) return toState(rows[0]);
    return this.db.transaction((tx) => this.lockedRow(tx, name)).then(toState);
  }

  /** Replaces the configuration; switching off is the monitor's job (at its next measurement). */
  async configure(
    name: DegradedModeName,
    config: DegradedModeConfig,
    operatorId: string,
    why: string,
  ): Promise<DegradedModeState> {
    return this.db.transaction(async (tx) => {
      const before = toState(await this.lockedRow(tx, name));
      const [rows]: [Row[], number] = await tx.query(
        `UPDATE degraded_mode SET config = $3::jsonb WHERE name = $1 AND task_queue = $2
         RETURNING *`,
        [name, this.taskQueue, JSON.stringify(config)],
      );
      await recordOperatorAction(tx, {
        operatorId,
        action: 'degraded-mode.configure',
        subject: this.subjectOf(name),
        details: { why, before: before.config, after: config },
      });
      return toState(rows[0]!);
    });
  }

  /**
   * Records what the monitor measured and switches the mode when a threshold is crossed.
   * @returns the state after, and whether it switched
   */
  async measure(
    name: DegradedModeName,
    backlog: FraudBacklog,
  ): Promise<{ state: DegradedModeState; switched: boolean }> {
    return this.db.transaction(async (tx) => {
      const row = await this.lockedRow(tx, name);
      const before = toState(row);
      const [clock]: { now: Date }[] = await tx.query('SELECT now() AS now');
      const next = nextDegradedState(
        before.config,
        { active: before.active, forMs: clock!.now.getTime() - row.changed_at.getTime() },
        backlog,
      );
      const switched = next.active !== before.active;
      const [rows]: [Row[], number] = await tx.query(
        `UPDATE degraded_mode
            SET measured = $2::jsonb, measured_at = now(),
                active = $3,
                reason = CASE WHEN $4 THEN $5 ELSE reason END,
                changed_at = CASE WHEN $4 THEN now() ELSE changed_at END
          WHERE name = $1 AND task_queue = $6 RETURNING *`,
        [name, JSON.stringify(backlog), next.active, switched, next.reason, this.taskQueue],
      );
      if (switched) {
        await recordOperatorAction(tx, {
          operatorId: BACKLOG_MONITOR_ACTOR,
          action: next.active ? 'degraded-mode.on' : 'degraded-mode.off',
          subject: this.subjectOf(name),
          details: { reason: next.reason, backlog, thresholds: before.config },
        });
      }
      return { state: toState(rows[0]!), switched };
    });
  }

  /** The mode's row, created with the defaults on first use, locked for this transaction. */
  private async lockedRow(tx: EntityManager, name: DegradedModeName): Promise<Row> {
    await tx.query(
      `INSERT INTO degraded_mode (name, task_queue, config) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (name, task_queue) DO NOTHING`,
      [name, this.taskQueue, JSON.stringify(DEFAULT_DEGRADED_MODE)],
    );
    const rows: Row[] = await tx.query(
      `SELECT * FROM degraded_mode WHERE name = $1 AND task_queue = $2 FOR UPDATE`,
      [name, this.taskQueue],
    );
    return rows[0]!;
  }
}

function toState(row: Row): DegradedModeState {
  return {
    name: row.name,
    // Fields added to the configuration later take their defaults in rows stored before.
    config: { ...DEFAULT_DEGRADED_MODE, ...row.config },
    active: row.active,
    reason: row.reason,
    changedAt: row.changed_at.toISOString(),
    measured: row.measured,
    measuredAt: row.measured_at?.toISOString() ?? null,
  };
}
