/**
 * How an order ends early. A stage throws `OrderEnds` (a cancel request, a rejection, a
 * business outcome of a downstream call); the workflow catches it once, at the top, and `end`
 * runs: the customer's status changes at once, then the saga undoes everything held, and the
 * customer hears. In runs that enforce the point of no return, a shipment is recalled first:
 * if the parcel had already left, a customer's cancel is overturned and the order ships.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
} from '@temporalio/workflow';
import { type BusinessFailureType, isBusinessFailureType } from '@order-platform/domain';
import type { OrderRun } from '../run-context';

export type Ending = 'Cancelled' | 'Rejected' | 'Failed';

/** Thrown from anywhere in the story to end the order early; caught once, at the top. */
export class OrderEnds extends Error {
  constructor(
    readonly stage: Ending,
    readonly reason: string,
  ) {
    super(`${stage}: ${reason}`);
  }
}

/** What an error that reached the top means for the order. */
export function endingOf(error: unknown): OrderEnds {
  if (error instanceof OrderEnds) return error;
  if (isCancellation(error)) return new OrderEnds('Cancelled', 'WorkflowCancelled');
  return new OrderEnds('Failed', describe(error));
}

/**
 * Ends the order early: the customer's status changes at once (patched runs: once the shipment,
 * if any, is recalled), then everything held is undone. 'parcel-left': a customer's cancel was
 * overturned (the warehouse had dispatched), nothing was undone, and the order goes on as shipped.
 */
export async function end(run: OrderRun, ending: OrderEnds): Promise<'ended' | 'parcel-left'> {
  const { recorder, saga } = run;
  return CancellationScope.nonCancellable(async () => {
    if (run.enforcesPointOfNoReturn && saga.holds('cancel-shipment')) {
      // The parcel first: whether it can be recalled decides whether anything else is undone.
      const recall = await saga.runFirst('cancel-shipment', 'ShipmentAlreadyDispatched');
      if (recall === 'ShipmentAlreadyDispatched') {
        run.facts.dispatched = true;
        if (isCustomerCancel(run, ending)) {
          await overturnCancellation(run);
          return 'parcel-left';
        }
        // Nothing to capture with: the stock left with the parcel, an operator settles it.
        saga.drop('release-inventory');
        await recorder.record({
          needsAttention: 'DispatchedWithoutPayment',
          events: [
            {
              type: 'CompensationFailed',
              payload: { compensation: 'cancel-shipment', error: 'ShipmentAlreadyDispatched' },
            },
          ],
        });
      }
    }
    const type =
      ending.stage === 'Cancelled'
        ? 'OrderCancelled'
        : ending.stage === 'Rejected'
          ? 'OrderRejected'
          : 'OrderFailed';
    await recorder.record({
      stage: ending.stage,
      reason: ending.reason,
      events: [{ type, payload: { reason: ending.reason } }],
    });
    await undoAndTell(run, ending);
    return 'ended' as const;
  });
}

/**
 * The rest of an early end, once the order reads as ended: the saga undoes what is held, and the
 * customer hears. A run that fails closed may hand this over to its next run midway
 * (stages/undoing.ts), which carries the ending with it.
 */
export async function undoAndTell(run: OrderRun, ending: OrderEnds): Promise<void> {
  run.ending = ending;
  await run.saga.compensate();
  await run.recorder.record({});
  await run.notify(ending.stage === 'Rejected' ? 'rejected' : 'cancelled');
}

/** The customer's cancel, with the money still authorized: the order can still ship and be paid. */
function isCustomerCancel({ facts, recorder }: OrderRun, ending: OrderEnds): boolean {
  return (
    facts.cancel !== undefined &&
    ending.stage === 'Cancelled' &&
    ending.reason === `CancelledBy:${facts.cancel.requestedBy}` &&
    recorder.commitments.payment?.state === 'authorized'
  );
}

/** The cancel did not happen: said to the caller (the update fails), in an event and the views. */
async function overturnCancellation(run: OrderRun): Promise<void> {
  const { recorder, facts } = run;
  // What the validator now says (the parcel has left), so the caller hears the same reason.
  facts.cancelOverturned = recorder.cancelRefusal() ?? 'the order can no longer be cancelled';
  await recorder.record({
    needsAttention: '',
    events: [
      {
        type: 'CancellationOverturned',
        payload: { reason: 'ShipmentAlreadyDispatched', requestedBy: facts.cancel!.requestedBy },
      },
    ],
  });
}

/** Turns a non-retryable business failure from an activity into the end it means. */
export async function businessOutcome<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const type = failureType(error);
    if (isBusinessFailureType(type))
      throw new OrderEnds(ENDING_OF[type].stage, ENDING_OF[type].reason);
    throw error;
  }
}

/** The type of the application failure an activity ended with, if that is how it ended. */
export function failureType(error: unknown): string | null | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? error.cause.type
    : undefined;
}

const ENDING_OF: Record<BusinessFailureType, { stage: Ending; reason: string }> = {
  OutOfStock: { stage: 'Cancelled', reason: 'OutOfStock' },
  ReservationExpired: { stage: 'Cancelled', reason: 'ReservationExpired' },
  PaymentDeclined: { stage: 'Cancelled', reason: 'PaymentDeclined' },
  AuthorizationExpired: { stage: 'Cancelled', reason: 'AuthorizationExpired' },
  ShipmentAlreadyDispatched: { stage: 'Failed', reason: 'ShipmentAlreadyDispatched' },
};

function describe(error: unknown): string {
  if (error instanceof ActivityFailure)
    return `${error.activityType} failed: ${error.cause?.message ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}
