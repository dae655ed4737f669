/**
 * The circuit breakers of the worker processes as they report them (`worker_circuit`): each
 * breaker's state is its process's own, so operators see one row per worker and circuit. A
 * worker upserts its row on every change and every few seconds; a row not reported lately is a
 * worker that is gone. Hand-written SQL: an upsert and an age filter on the database clock.
 */
import type { DataSource } from 'typeorm';

/** How often a worker reports; a worker silent for three of these is gone. */
export const WORKER_CIRCUIT_REPORT_INTERVAL_MS = 5_000;
const GONE_AFTER_MS = 3 * WORKER_CIRCUIT_REPORT_INTERVAL_MS;

export type WorkerCircuitState = 'closed' | 'open' | 'half-open';

export interface WorkerCircuitReport {
  workerId: string;
  circuit: string;
  taskQueue: string;
  state: WorkerCircuitState;
  why: string;
  changedAt: Date;
}

export interface WorkerCircuitRow {
  workerId: string;
  circuit: string;
  state: WorkerCircuitState;
  why: string;
  changedAt: string;
  reportedAt: string;
}

interface Row {
  worker_id: string;
  circuit: string;
  state: WorkerCircuitState;
  why: string;
  changed_at: Date;
  reported_at: Date;
}

export class WorkerCircuitStore {
  constructor(private readonly db: DataSource) {}

  async report(report: WorkerCircuitReport): Promise<void> {
    await this.db.query(
      `INSERT INTO worker_circuit (worker_id, circuit, task_queue, state, why, changed_at, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (worker_id, circuit) DO UPDATE SET
         task_queue = EXCLUDED.task_queue, state = EXCLUDED.state, why = EXCLUDED.why,
         changed_at = EXCLUDED.changed_at, reported_at = now()`,
      [
        report.workerId,
        report.circuit,
        report.taskQueue,
        report.state,
        report.why,
        report.changedAt,
      ],
    );
  }

  /** A worker that stops tells it is gone (one that dies ages out instead). */
  async forget(workerId: string): Promise<void> {
    await this.db.query('DELETE FROM worker_circuit WHERE worker_id = $1', [workerId]);
  }

  /** The circuits of the queue's workers that reported lately, by worker. */
  async live(taskQueue: string): Promise<WorkerCircuitRow[]> {
    const rows: Row[] = await this.db.query(
      `SELECT worker_id, circuit, state, why, changed_at, reported_at FROM worker_circuit
        WHERE task_queue = $1 AND reported_at > now() - make_interval(secs => $2::float8 / 1000)
        ORDER BY worker_id, circuit`,
      [taskQueue, GONE_AFTER_MS],
    );
    return rows.map((row) => ({
      workerId: row.worker_id,
      circuit: row.circuit,
      state: row.state,
      why: row.why,
      changedAt: row.changed_at.toISOString(),
      reportedAt: row.reported_at.toISOString(),
    }));
  }
}
