/**
 * Tells operators what this worker's circuit breakers say. A breaker's state is the process's
 * own (each worker learns about a failing provider from its own calls, see
 * docs/architecture.md#backpressure), so each worker reports its own: at once on every change,
 * and every WORKER_CIRCUIT_REPORT_INTERVAL_MS so the operator API can tell a live worker from a gone one. A
 * report that fails (PostgreSQL away) is logged and tried again at the next interval; the
 * breaker itself never waits for it.
 */
import { hostname } from 'node:os';
import type { Logger } from '@order-platform/runtime';
import {
  WORKER_CIRCUIT_REPORT_INTERVAL_MS,
  type WorkerCircuitState,
  type WorkerCircuitStore,
} from '@order-platform/stores';

/** The process's name for operators: the host (a pod's name on Kubernetes) and the pid. */
export const workerId = (): string => `${hostname()}/${process.pid}`;

export class CircuitReports {
  private latest: { state: WorkerCircuitState; why: string; changedAt: Date } = {
    state: 'closed',
    why: 'the worker started',
    changedAt: new Date(),
  };
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: WorkerCircuitStore,
    private readonly logger: Logger,
    private readonly where: { workerId: string; circuit: string; taskQueue: string },
  ) {
    this.send();
    this.timer = setInterval(() => this.send(), WORKER_CIRCUIT_REPORT_INTERVAL_MS);
    this.timer.unref();
  }

  /** For the breaker's `onChange`. */
  readonly changed = (state: WorkerCircuitState, why: string): void => {
    this.latest = { state, why, changedAt: new Date() };
    this.send();
  };

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.store.forget(this.where.workerId);
  }

  private send(): void {
    this.store.report({ ...this.where, ...this.latest }).catch((error: unknown) => {
      this.logger.warn('circuit state not reported', {
        circuit: this.where.circuit,
        error: String(error),
      });
    });
  }
}
