/**
 * The saga: every commitment pushes the compensation that undoes it; on cancel, rejection or
 * failure they run newest first, outside any cancellation, each retried until it succeeds. A
 * compensation that keeps failing is made visible (NeedsAttention, a CompensationFailed event)
 * instead of being swallowed; one that can never succeed (a business outcome, say the parcel
 * already left) stays flagged for an operator.
 */
import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import { type CompensationRecord, isBusinessFailureType } from '@order-platform/domain';
import type { OrderRecorder } from './order-recorder';

/** Between rounds of a failing compensation (each round already retried a few times). */
const COMPENSATION_ROUND_INTERVAL = '1 minute';

export interface Compensation {
  /** Stable name, e.g. `release-inventory`: shown to operators, used to remove it once moot. */
  name: string;
  run: () => Promise<void>;
}

export class Saga {
  private readonly stack: Compensation[] = [];

  constructor(private readonly recorder: OrderRecorder) {}

  push(compensation: Compensation): void {
    this.stack.push(compensation);
  }

  /** Forgets a compensation whose commitment ended another way (used, expired, captured). */
  drop(name: string): void {
    const index = this.stack.findIndex((c) => c.name === name);
    if (index >= 0) this.stack.splice(index, 1);
  }

  async compensate(): Promise<void> {
    while (this.stack.length > 0) {
      const compensation = this.stack.pop()!;
      await this.runToCompletion(compensation);
    }
  }

  private async runToCompletion(compensation: Compensation): Promise<void> {
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
        return;
      } catch (error) {
        const failure =
          error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
            ? error.cause
            : undefined;
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
        if (isBusinessFailureType(failure?.type)) return;
        await sleep(COMPENSATION_ROUND_INTERVAL);
      }
    }
  }
}
