/**
 * Operator tasks (`operator_task`, domain/src/operator-tasks.ts): opened once per order, kind and
 * subject when the order's view is projected (the domain's `operatorTasksOf` says which), and
 * closed by an operator with an outcome and a note, audited in the same transaction.
 */
import type { DataSource } from 'typeorm';
import {
  OPERATOR_TASK_KINDS,
  type OperatorTaskKind,
  type OperatorTaskOpening,
  type OperatorTaskOutcome,
  type OperatorTaskStatus,
} from '@order-platform/domain';
import { recordOperatorAction } from '../audit/operator-audit';
import { OperatorTaskRecord } from './operator-task.entity';

/** Anything that runs SQL: a DataSource, or a QueryRunner inside the projector's write. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

// SQL by hand: an insert that keeps the task already there, on whatever runs a statement.
const OPEN = `
  INSERT INTO operator_task (order_id, kind, subject, customer_id, reason, occurred_at)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (order_id, kind, subject) DO NOTHING`;

/** Opens the task unless the order has it already (projections repeat). */
export async function openOperatorTask(
  runner: SqlRunner,
  opening: OperatorTaskOpening,
): Promise<void> {
  await runner.query(OPEN, [
    opening.orderId,
    opening.kind,
    opening.subject,
    opening.customerId,
    opening.reason,
    opening.occurredAt,
  ]);
}

/** Which task: one per order, kind and subject. */
export interface OperatorTaskKey {
  orderId: string;
  kind: OperatorTaskKind;
  subject: string;
}

export type CloseOutcome =
  { closed: OperatorTaskRecord } | { notFound: true } | { notOpen: OperatorTaskStatus };

/** The audit action of closing a task (post-hoc reviews keep the name they were audited under). */
export const closeAction = (kind: OperatorTaskKind): string => `${kind}-close`;

export class OperatorTaskStore {
  constructor(private readonly db: DataSource) {}

  /** The tasks in `status` (of `kind`, or of every kind), oldest opened first. */
  list(
    filter: { status: OperatorTaskStatus; kind?: OperatorTaskKind },
    limit: number,
  ): Promise<OperatorTaskRecord[]> {
    return this.db.getRepository(OperatorTaskRecord).find({
      where: { status: filter.status, ...(filter.kind ? { kind: filter.kind } : {}) },
      order: { openedAt: 'ASC', orderId: 'ASC', kind: 'ASC', subject: 'ASC' },
      take: limit,
    });
  }

  /** How many tasks are open, per kind (every kind, 0 when none): the metrics' gauge. */
  async openCounts(): Promise<Record<OperatorTaskKind, number>> {
    const rows: { kind: OperatorTaskKind; open: number }[] = await this.db.query(
      `SELECT kind, count(*)::int AS open FROM operator_task WHERE status = 'open' GROUP BY kind`,
    );
    const counts = Object.fromEntries(OPERATOR_TASK_KINDS.map((kind) => [kind, 0])) as Record<
      OperatorTaskKind,
      number
    >;
    for (const { kind, open } of rows) counts[kind] = open;
    return counts;
  }

  /** One order's tasks, open or closed, oldest opened first. */
  forOrder(orderId: string): Promise<OperatorTaskRecord[]> {
    return this.db.getRepository(OperatorTaskRecord).find({
      where: { orderId },
      order: { openedAt: 'ASC', kind: 'ASC', subject: 'ASC' },
    });
  }

  /**
   * Closes an open task with the operator's outcome and note, audited in the same transaction.
   * The outcome must fit the kind (the API checks it; the table's constraint too).
   */
  close(
    key: OperatorTaskKey,
    operatorId: string,
    decision: { outcome: OperatorTaskOutcome; note: string },
  ): Promise<CloseOutcome> {
    return this.db.transaction(async (tx) => {
      const tasks = tx.getRepository(OperatorTaskRecord);
      const task = await tasks.findOne({ where: key, lock: { mode: 'pessimistic_write' } });
      if (!task) return { notFound: true };
      if (task.status !== 'open') return { notOpen: task.status };
      await tasks.update(key, {
        status: 'closed',
        outcome: decision.outcome,
        note: decision.note,
        closedBy: operatorId,
        closedAt: () => 'now()',
      });
      await recordOperatorAction(tx, {
        operatorId,
        action: closeAction(key.kind),
        subject: key.orderId,
        details: { ...decision, kind: key.kind, about: key.subject, reason: task.reason },
      });
      return { closed: await tasks.findOneByOrFail(key) };
    });
  }
}
