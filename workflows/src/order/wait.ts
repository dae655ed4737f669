/**
 * The one way a workflow following an order waits: for a fact (a signal's value, an activity's
 * outcome, an operator's decision) or a deadline, whichever comes first. The deadline is a
 * durable timer, so a wait survives restarts and replays; without a deadline the wait has no
 * timer at all.
 */
import { condition } from '@temporalio/workflow';

/**
 * Resolves with the first value `fact()` gives (anything but undefined), or 'deadline' once
 * `deadline` (epoch ms of workflow time) has passed. A null deadline waits for the fact alone.
 */
export async function waitForFactOrDeadline<T>(
  fact: () => T | undefined,
  deadline: null,
): Promise<T>;
export async function waitForFactOrDeadline<T>(
  fact: () => T | undefined,
  deadline: number | null,
): Promise<T | 'deadline'>;
export async function waitForFactOrDeadline<T>(
  fact: () => T | undefined,
  deadline: number | null,
): Promise<T | 'deadline'> {
  let value: T | undefined;
  const arrived = () => (value = fact()) !== undefined;
  if (deadline === null) {
    await condition(arrived);
    return value!;
  }
  // At least 1 ms: `condition` treats a zero timeout as a special case of its own.
  return (await condition(arrived, Math.max(1, deadline - Date.now()))) ? value! : 'deadline';
}
