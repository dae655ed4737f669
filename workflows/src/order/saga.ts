/**
 * The saga: every commitment pushes the compensation that undoes it; on cancel, rejection or
 * failure they run outside any cancellation, each retried until it succeeds. Runs that enforce
 * the point of no return undo in reverse-dependency order (the shipment, then the money it
 * would be paid with, then the stock), whatever order the holds were renewed in; older runs undo
 * newest first. A compensation that keeps failing is made visible (NeedsAttention, a
 * CompensationFailed event) instead of being swallowed; one that can never succeed (a business
 * outcome, say the parcel already left) stays flagged for an operator, and in dependency order
 * a parcel that left stops the undoing: the stock went with it.
 */
import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import {
  type BusinessFailureType,
  type CompensationRecord,
  isBusinessFailureType,
} from '@order-platform/domain';
import type { OrderRecorder } from './order-recorder';

/** Reverse-dependency order: what depends on a hold is undone before the hold itself. */
const UNDO_ORDER = ['cancel-shipment', 'void-authorization', 'release-inventory'];
const undoRank = (name: string): number => UNDO_ORDER.indexOf(name);

/** Between rounds of a failing compensation (each round already retried a few times). */
const COMPENSATION_ROUND_INTERVAL = '1 minute';

export interface Compensation {
  /** Stable name, e.g. `release-inventory`: shown to operators, used to remove it once moot. */
  name: string;
  run: () => Promise<void>;
}

/** How a compensation ended: done, or a business outcome that retrying will not change. */
export type CompensationOutcome = 'done' | BusinessFailureType;

export class Saga {
  private readonly stack: Compensation[] = [];

  constructor(
    private readonly recorder: OrderRecorder,
    /** Patched runs: reverse-dependency order (UNDO_ORDER); older runs: newest first. */
    private readonly inDependencyOrder = false,
  ) {}

  push(compensation: Compensation): void {
    this.stack.push(compensation);
  }

  /** Forgets a compensation whose commitment ended another way (used, expired, captured). */
  drop(name: string): void {
    const index = this.stack.findIndex((c) => c.name === name);
    if (index >= 0) this.stack.splice(index, 1);
  }

  holds(name: string): boolean {
    return this.stack.some((c) => c.name === name);
  }

  /**
   * Runs one compensation ahead of the others. `expected` is a business outcome that answers
   * rather than fails (the parcel had left): it is returned, neither flagged nor listed.
   */
  async runFirst(name: string, expected: BusinessFailureType): Promise<CompensationOutcome> {
    const index = this.stack.findIndex((c) => c.name === name);
    if (index < 0) return 'done';
    const [compensation] = this.stack.splice(index, 1);
    return this.runToCompletion(compensation!, expected);
  }

  async compensate(): Promise<void> {
    // Stable: among equals (unknown names) the newest still goes first. The last runs first.
    if (this.inDependencyOrder) this.stack.sort((a, b) => undoRank(b.name) - undoRank(a.name));
    while (this.stack.length > 0) {
      const compensation = this.stack.pop()!;
      const outcome = await this.runToCompletion(compensation);
      if (this.inDependencyOrder && outcome === 'ShipmentAlreadyDispatched') return;
    }
  }

  private async runToCompletion(
    compensation: Compensation,
    expected?: BusinessFailureType,
  ): Promise<CompensationOutcome> {
    const entry: CompensationRecord = {
      name: compensation.name,
      status: 'pending',
      attempts: 0,
      at: new Date().toISOString(),
    };
    this.recorder.compensations.push(entry);
    let announced = false;
    for (;;) {
      entry.attempts += 1;
      try {
        await compensation.run();
        entry.status = 'done';
        entry.at = new Date().toISOString();
        delete entry.lastError;
        if (announced) await this.recorder.record({ needsAttention: '' });
        return 'done';
      } catch (error) {
        const failure =
          error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
            ? error.cause
            : undefined;
        if (expected !== undefined && failure?.type === expected) {
          this.recorder.compensations.splice(this.recorder.compensations.indexOf(entry), 1);
          return expected;
        }
        entry.status = 'failing';
        entry.lastError =
          failure?.message ?? (error instanceof Error ? error.message : String(error));
        if (!announced) {
          announced = true;
          await this.recorder.record({
            needsAttention: `CompensationFailing:${compensation.name}`,
            events: [
              {
                type: 'CompensationFailed',
                payload: { compensation: compensation.name, error: entry.lastError },
              },
            ],
          });
        }
        // A business outcome will not change by retrying: leave it to an operator.
        const type = failure?.type;
        if (isBusinessFailureType(type)) return type;
        await sleep(COMPENSATION_ROUND_INTERVAL);
      }
    }
  }
}
