/**
 * The order lifecycle, read top to bottom as the stage table in docs/architecture.md: accept,
 * take the three holds (fraud approval, stock, payment) in the order the policy gives, confirm,
 * hand over to fulfilment, ship, deliver, then take returns for the return window
 * (stages/returns.ts). Each stage is a file of its own under order/stages/,
 * working on the run context (order/run-context.ts). Every wait is a durable timer raced
 * against the fact it waits for (order/wait.ts); when a wait runs out, the policy says what
 * happens. Whatever ends an order early (a cancel, a rejection, a failure) runs the saga, so
 * nothing it held stays held.
 *
 * Changes after the first release go behind `patched('<change-id>')`, and the committed
 * histories in workflows/histories are replayed in CI to prove old runs still replay.
 */
import type { OrderStatusView, PlacedOrder, StagePolicy } from '@order-platform/domain';
import { platform } from './activities';
import { rejectInvalidOrder, startOrderRun } from './run-context';
import {
  confirm,
  continueAsShipped,
  deliver,
  handOverToFulfilment,
  ship,
} from './stages/confirmation-and-fulfillment';
import { end, endingOf } from './stages/ending';
import { finishUndoing, type UndoingCarriedOver } from './stages/undoing';

/**
 * `carried`: only when a run continues as new in the middle of a long undoing (saga.ts): the new
 * run finishes the undoing and nothing else (stages/undoing.ts).
 */
export async function orderLifecycle(
  order: PlacedOrder,
  carried?: UndoingCarriedOver,
): Promise<OrderStatusView> {
  rejectInvalidOrder(order);
  const run = startOrderRun(order, carried);
  if (carried) return finishUndoing(run, carried);
  await run.recorder.record({
    stage: 'AcceptedForProcessing',
    events: [{ type: 'OrderAccepted', payload: { totalMinor: run.recorder.totalMinor } }],
  });
  let policy: StagePolicy | undefined;
  try {
    policy = await platform.loadStagePolicy(order.segment);
    if (run.returns) run.returns.windowMs = policy.returnWindowMs;
    // Fraud decision, stock hold, payment authorization (stages/fraud-decision.ts, holds.ts)
    // in policy order, then the stock allocated: Confirmed.
    await confirm(run, policy);
    // ReadyForFulfillment until the parcel leaves; the authorization renewed if it lapses.
    await handOverToFulfilment(run, policy);
    // Shipped: the payment captured; then Delivered (flagged if the delivery is overdue).
    await ship(run, policy);
    await deliver(run);
  } catch (error) {
    // Cancelled, Rejected or Failed: the saga undoes what is held (stages/ending.ts), unless
    // the parcel had left before a cancel could recall it: then the order ships after all.
    if ((await end(run, endingOf(error))) === 'parcel-left') await continueAsShipped(run, policy!);
  }
  // Shipped orders take returns for the return window, and stay open until each has settled.
  if (run.returns && run.facts.capture) await run.returns.settle(policy!);
  return run.recorder.view();
}
