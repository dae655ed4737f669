/**
 * A long undoing, continued: when a compensation keeps failing transiently for many rounds, the
 * run continues as new (saga.ts, behind `compensations-fail-closed`) and hands over the order,
 * how it ended, what the recorder knew and what is left to undo. The new run only finishes the
 * undoing: each pending compensation is rebuilt from the commitments it undoes (the same
 * idempotency keys, so nothing is undone twice), the recorder goes on from the same version and
 * event sequence (the read model stays truthful), and the customer hears once it is done.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  type Workflow,
} from '@temporalio/workflow';
import type { NotificationKind, OrderStatusView } from '@order-platform/domain';
import type { RecorderState } from '../order-recorder';
import type { OrderRun } from '../run-context';
import type { Compensation, Saga } from '../saga';
import { shipmentCancellation } from './confirmation-and-fulfillment';
import { type Ending, OrderEnds, undoAndTell } from './ending';
import { releaseStock, voidPayment } from './holds';

/** What a run hands to the next when it continues as new in the middle of undoing. */
export interface UndoingCarriedOver {
  ending: { stage: Ending; reason: string };
  recorder: RecorderState;
  /** What the customer was told so far (told once each, whichever run tells it). */
  notified: NotificationKind[];
  /** Compensations left, in the order they would run (the failing one first). */
  pending: string[];
}

/**
 * Hands a long undoing to a new run of the same workflow (SagaOptions.continueUndoing), once the
 * handlers in flight (a cancel waiting for the order to end) have answered: the history stays
 * small however long it takes. Shared by the order workflow and the legacy order workflow.
 */
export async function continueUndoingAsNew<W extends Workflow>(
  ...args: Parameters<W>
): Promise<never> {
  await condition(allHandlersFinished);
  return continueAsNew<W>(...args);
}

/**
 * Puts what the last run left to undo back onto the new run's saga, each compensation rebuilt by
 * `named` from what it undoes (the same idempotency keys, so nothing is undone twice): pushed
 * so that the first pending is on top, since the saga runs its stack from the top.
 */
export function resumeUndoing(
  saga: Saga,
  pending: readonly string[],
  named: (name: string) => Compensation,
): void {
  for (const name of [...pending].reverse()) saga.push(named(name));
}

/** The new run's whole story: finish undoing, tell the customer, end with the view. */
export async function finishUndoing(
  run: OrderRun,
  carried: UndoingCarriedOver,
): Promise<OrderStatusView> {
  resumeUndoing(run.saga, carried.pending, (name) => compensationNamed(run, name));
  const ending = new OrderEnds(carried.ending.stage, carried.ending.reason);
  await CancellationScope.nonCancellable(() => undoAndTell(run, ending));
  return run.recorder.view();
}

/** A pending compensation, rebuilt from the commitment it undoes. */
function compensationNamed(run: OrderRun, name: string): Compensation {
  const { commitments } = run.recorder;
  switch (name) {
    case 'release-inventory':
      return { name, run: () => releaseStock(run, 'Compensation') };
    case 'void-authorization':
      return { name, run: () => voidPayment(run, 'PaymentVoided') };
    case 'cancel-shipment':
      if (commitments.shipment) return shipmentCancellation(run, commitments.shipment.shipmentId);
      return { name, run: async () => undefined };
    default:
      throw unknownCompensation(name);
  }
}

/** A carried-over name no compensation answers to: code and history disagree, never retried. */
export function unknownCompensation(name: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`no compensation named ${name}`, 'UnknownCompensation');
}
