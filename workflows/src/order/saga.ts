/**
 * The saga: every commitment pushes the compensation that undoes it; on cancel, rejection or
 * failure they run outside any cancellation, each retried until it succeeds. Runs that enforce
 * the point of no return undo in reverse-dependency order (the shipment, then the money it
 * would be paid with, then the stock), whatever order the holds were renewed in; older runs undo
 * newest first. A compensation that keeps failing is made visible (NeedsAttention, a
 * CompensationFailed event) instead of being swallowed; one that can never succeed (a business
 * outcome, say the parcel already left) stays flagged for an operator, and in dependency order
 * a parcel that left stops the undoing: the stock went with it.
 *
 * Runs with `compensations-fail-closed` (SagaOptions.failsClosed) fail closed: a compensation the
 * downstream refused for good (a non-retryable failure: a 4xx, a business outcome) is not tried
 * again: it is marked `failed`, `NeedsAttention=CompensationFailed:<name>` is set and the read
 * model's projector opens an operator task for it; the others still run. A transient failure
 * waits longer after each round (COMPENSATION_ROUNDS), and after a bounded number of rounds the
 * run hands what is left to undo to a new run (`continueUndoing`), so no history grows large.
 */
import { ActivityFailure, ApplicationFailure, sleep, workflowInfo } from '@temporalio/workflow';
import {
  type BusinessFailureType,
  type CompensationRecord,
  isBusinessFailureType,
} from '@order-platform/domain';
import { COMPENSATION_ROUNDS, compensationRoundDelayMs } from '../retry-policies';
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

/**
 * How a compensation ended: done, a business outcome that retrying will not change, or (runs
 * that fail closed) refused for good otherwise.
 */
export type CompensationOutcome = 'done' | BusinessFailureType | 'failed';

export interface SagaOptions {
  /** Patched runs (`point-of-no-return`): reverse-dependency order (UNDO_ORDER); older: newest first. */
  inDependencyOrder?: boolean;
  /** Patched runs (`compensations-fail-closed`): see the file's comment. */
  failsClosed?: boolean;
  /**
   * Hands what is left to undo (names, in the order they would run) to a new run; never returns
   * (it continues as new). Called from `compensate` only, between rounds.
   */
  continueUndoing?: (pending: string[]) => Promise<never>;
}

export class Saga {
  private readonly stack: Compensation[] = [];
  private readonly inDependencyOrder: boolean;
  /** Failed rounds in this run, against COMPENSATION_ROUNDS.roundsPerRun. */
  private roundsThisRun = 0;

  constructor(
    private readonly recorder: OrderRecorder,
    private readonly options: SagaOptions = {},
  ) {
    this.inDependencyOrder = options.inDependencyOrder ?? false;
  }

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

  /** What is left to undo, in the order it would run. */
  pending(): string[] {
    return this.stack.map((c) => c.name).reverse();
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
      const outcome = await this.runToCompletion(compensation, undefined, this.options);
      if (this.inDependencyOrder && outcome === 'ShipmentAlreadyDispatched') return;
    }
  }

  private async runToCompletion(
    compensation: Compensation,
    expected?: BusinessFailureType,
    { continueUndoing }: SagaOptions = {},
  ): Promise<CompensationOutcome> {
    if (this.options.failsClosed)
      return this.runFailingClosed(compensation, expected, continueUndoing);
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

  /**
   * Runs with `compensations-fail-closed`: a permanent failure stops at once (flagged, an
   * operator task opened from the view); a transient one backs off between rounds and, past the
   * run's bound, continues the undoing in a new run. A compensation carried over from the last
   * run goes on with its record (its rounds, its flag), so nothing is announced twice.
   */
  private async runFailingClosed(
    compensation: Compensation,
    expected: BusinessFailureType | undefined,
    continueUndoing: SagaOptions['continueUndoing'],
  ): Promise<CompensationOutcome> {
    const { recorder } = this;
    let entry = recorder.compensations.find(
      (c) => c.name === compensation.name && c.status === 'failing',
    );
    if (!entry) {
      entry = {
        name: compensation.name,
        status: 'pending',
        attempts: 0,
        at: new Date().toISOString(),
      };
      recorder.compensations.push(entry);
    }
    let announced = entry.status === 'failing';
    for (;;) {
      entry.attempts += 1;
      try {
        await compensation.run();
        entry.status = 'done';
        entry.at = new Date().toISOString();
        delete entry.lastError;
        if (announced) await recorder.record({ needsAttention: this.attentionLeft() });
        return 'done';
      } catch (error) {
        const failure =
          error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
            ? error.cause
            : undefined;
        if (expected !== undefined && failure?.type === expected) {
          recorder.compensations.splice(recorder.compensations.indexOf(entry), 1);
          return expected;
        }
        entry.lastError =
          failure?.message ?? (error instanceof Error ? error.message : String(error));
        entry.at = new Date().toISOString();
        // Refused for good (a 4xx, a business outcome): asking again cannot change the answer.
        if (failure?.nonRetryable) {
          entry.status = 'failed';
          await recorder.record({
            needsAttention: `CompensationFailed:${compensation.name}`,
            events: [
              {
                type: 'CompensationFailed',
                payload: {
                  compensation: compensation.name,
                  error: entry.lastError,
                  failureType: failure.type ?? 'Error',
                  permanent: true,
                },
              },
            ],
          });
          return isBusinessFailureType(failure.type) ? failure.type : 'failed';
        }
        entry.status = 'failing';
        if (!announced) {
          announced = true;
          await recorder.record({
            needsAttention: this.recorder.needsAttention.startsWith('CompensationFailed:')
              ? this.recorder.needsAttention
              : `CompensationFailing:${compensation.name}`,
            events: [
              {
                type: 'CompensationFailed',
                payload: { compensation: compensation.name, error: entry.lastError },
              },
            ],
          });
        }
        this.roundsThisRun += 1;
        await sleep(compensationRoundDelayMs(entry.attempts));
        const longRun =
          this.roundsThisRun >= COMPENSATION_ROUNDS.roundsPerRun ||
          workflowInfo().continueAsNewSuggested;
        if (continueUndoing && longRun) {
          await continueUndoing([compensation.name, ...this.pending()]);
        }
      }
    }
  }

  /**
   * The flag an order keeps once the compensation in hand is done: a permanent failure's, if
   * any; a flag that is not about compensations (DispatchedWithoutPayment) stays.
   */
  private attentionLeft(): string {
    const failed = this.recorder.compensations.find((c) => c.status === 'failed');
    if (failed) return `CompensationFailed:${failed.name}`;
    const flag = this.recorder.needsAttention;
    return flag.startsWith('Compensation') ? '' : flag;
  }
}
