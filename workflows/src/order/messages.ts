/**
 * The order workflow's interface to the outside world. Facts arrive as signals (a fraud
 * decision, a dispatched or delivered parcel); a cancel and an operator's manual review decision
 * are updates, so the caller learns synchronously whether they were accepted (the review signal
 * stays for runs started before the update existed); a return request is an update too, and the
 * parcel coming back a signal; the status view is a query. The gateway,
 * the legacy adapter and tests import these definitions; nothing else names them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OrderStatusView, ReturnLine, ReturnView } from '@order-platform/domain';

export const ORDER_WORKFLOW_TYPE = 'orderLifecycle';

export interface FraudDecision {
  decision: 'approve' | 'reject';
  /** Who decided: the provider's asynchronous answer, or the legacy monolith (strangler). */
  decidedBy: 'provider' | 'legacy';
  reference?: string;
}

export interface ManualReviewDecision {
  decision: 'approve' | 'reject';
  operatorId: string;
  note: string;
}

export interface ShipmentDispatched {
  trackingId?: string;
}

export interface CancelRequest {
  reason: string;
  requestedBy: string;
}

export const fraudDecisionSignal = defineSignal<[FraudDecision]>('fraudDecision');
/** Runs started before `manualReviewDecisionUpdate` only: taken silently, even when moot. */
export const manualReviewDecisionSignal =
  defineSignal<[ManualReviewDecision]>('manualReviewDecision');
/** Refused (validator) unless the order waits for this decision; answers with the order's view. */
export const manualReviewDecisionUpdate = defineUpdate<OrderStatusView, [ManualReviewDecision]>(
  'decideManualReview',
);
export const shipmentDispatchedSignal = defineSignal<[ShipmentDispatched]>('shipmentDispatched');
export const orderDeliveredSignal = defineSignal<[]>('orderDelivered');
export const cancelOrderUpdate = defineUpdate<OrderStatusView, [CancelRequest]>('cancelOrder');
export const orderStatusQuery = defineQuery<OrderStatusView>('orderStatus');

export interface ReturnRequest {
  lines: ReturnLine[];
  requestedBy: string;
}

export interface ReturnReceived {
  returnId: string;
}

/**
 * Refused (validator) before dispatch, after the return window, or for more than was bought (an
 * ApplicationFailure whose type is the refusal's and whose details name the sku); answers with
 * the authorized return. Use the Idempotency-Key as the update id: Temporal answers a repeat alike.
 */
export const requestReturnUpdate = defineUpdate<ReturnView, [ReturnRequest]>('requestReturn');
/** The warehouse recorded the parcel of a return back (the fulfilment webhook will send it). */
export const returnReceivedSignal = defineSignal<[ReturnReceived]>('returnReceived');
/**
 * The same fact as an update, so the sender learns whether the order took it: refused
 * (validator) with type `return-not-found` for a return the order never authorized and
 * `return-lapsed` for one whose parcel came too late; a repeat of a parcel already back is
 * accepted and changes nothing. Answers with the return as the order now sees it.
 */
export const returnParcelReceivedUpdate = defineUpdate<ReturnView, [ReturnReceived]>(
  'returnParcelReceived',
);
