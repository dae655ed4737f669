/**
 * The order workflow's interface to the outside world. Facts arrive as signals (a fraud
 * decision, a manual review, a dispatched or delivered parcel); cancel is an update, so the
 * caller learns synchronously whether it was accepted; the status view is a query. The gateway,
 * the legacy adapter and tests import these definitions; nothing else names them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OrderStatusView } from '@order-platform/domain';

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
export const manualReviewDecisionSignal =
  defineSignal<[ManualReviewDecision]>('manualReviewDecision');
export const shipmentDispatchedSignal = defineSignal<[ShipmentDispatched]>('shipmentDispatched');
export const orderDeliveredSignal = defineSignal<[]>('orderDelivered');
export const cancelOrderUpdate = defineUpdate<OrderStatusView, [CancelRequest]>('cancelOrder');
export const orderStatusQuery = defineQuery<OrderStatusView>('orderStatus');
