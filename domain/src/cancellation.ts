/**
 * The point of no return: whether an order may still be cancelled. An order may be cancelled
 * until the parcel has left the warehouse; from then on a cancel cannot undo anything (the goods
 * are with the carrier, the payment is taken), so it is refused with what to do instead. The
 * workflow's cancel validator and the `cancellable` of every status read ask this one function,
 * so the API never offers a cancel it would then refuse, nor refuses one it offered.
 */
import { CUSTOMER_STATUS_OF_STAGE, isTerminal, type OrderStage } from './stages';

/** What the order knows beyond its stage, which can pass the point before the stage moves. */
export interface CancellationFacts {
  /** The warehouse reported the parcel dispatched (or refused to recall it: it had left). */
  dispatched: boolean;
  /** The capture of the payment has been asked for: money is moving. */
  capturing: boolean;
  /** A cancel was accepted already and is being carried out. */
  cancelling: boolean;
}

export const NO_CANCELLATION_FACTS: CancellationFacts = {
  dispatched: false,
  capturing: false,
  cancelling: false,
};

/** What a customer whose parcel has left should do instead of cancelling. */
export const RETURN_INSTEAD =
  'it is already with the carrier: request a return once it arrives instead';

/**
 * Why a cancel is refused now, or null when it would be accepted. Past the point of no return:
 * shipped, dispatched or capturing. The message is written for the customer.
 */
export function cancellationRefusal(stage: OrderStage, facts: CancellationFacts): string | null {
  const status = CUSTOMER_STATUS_OF_STAGE[stage];
  if (isTerminal(stage)) return `the order is ${status} and can no longer be cancelled`;
  if (stage === 'Shipped')
    return `the order is ${status} and can no longer be cancelled: ${RETURN_INSTEAD}`;
  if (facts.dispatched || facts.capturing)
    return `the order has left the warehouse and can no longer be cancelled: ${RETURN_INSTEAD}`;
  if (facts.cancelling) return 'a cancellation is already in progress';
  return null;
}

export const mayBeCancelled = (stage: OrderStage, facts: CancellationFacts): boolean =>
  cancellationRefusal(stage, facts) === null;
