/**
 * The lifecycle event contract on `orders.lifecycle.v1`: a versioned envelope keyed by order id.
 * Event ids are derived from the order and its per-order sequence, so a replay or a retried
 * publish produces the same id and consumers recognise it.
 */
export const LIFECYCLE_EVENT_TYPES = [
  'OrderAccepted',
  'FraudReviewRequested',
  'FraudReviewDeferred',
  'FraudApproved',
  'ManualReviewRequired',
  'ManualReviewDecided',
  'InventoryReserved',
  'InventoryReleased',
  'InventoryAllocated',
  'PaymentAuthorized',
  'PaymentAuthorizationExpired',
  'PaymentVoided',
  'OrderConfirmed',
  'ShipmentCreated',
  'ShipmentCancelled',
  'OrderShipped',
  'PaymentCaptured',
  'PaymentRefunded',
  'OrderDelivered',
  'DeliveryOverdue',
  'OrderCancelled',
  'OrderRejected',
  'OrderFailed',
  'CompensationFailed',
  // A cancel that came too late: the warehouse had dispatched the parcel, so the order ships.
  'CancellationOverturned',
  // Returns (domain/src/returns.ts): authorized, the parcel back, restocked, refunded or lapsed.
  'ReturnAuthorized',
  'ReturnReceived',
  'InventoryRestocked',
  'ReturnLapsed',
  // What the platform decided for a stage of a monolith order (strangler): acted on in route
  // 'new', only compared with the monolith's decision in route 'shadow'.
  'StageDecided',
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

export const LIFECYCLE_SCHEMA_VERSION = 1;

export type EventSource = 'order-workflow' | 'legacy-monolith';

export interface EventEnvelope<P = Record<string, unknown>> {
  eventId: string;
  eventType: string;
  schemaVersion: number;
  orderId: string;
  occurredAt: string;
  source: EventSource;
  /**
   * Per order and source, increasing: the workflow counts from 1 without gaps, the monolith by
   * lifecycle position (legacy-events.ts). Consumers spot loss and reordering by it.
   */
  sequence: number;
  payload: P;
}

export type LifecycleEvent = EventEnvelope & { eventType: LifecycleEventType };

export const lifecycleEventId = (source: EventSource, orderId: string, sequence: number): string =>
  `${source}:${orderId}:${sequence}`;

export function lifecycleEvent(
  orderId: string,
  sequence: number,
  eventType: LifecycleEventType,
  occurredAt: string,
  payload: Record<string, unknown> = {},
): LifecycleEvent {
  return {
    eventId: lifecycleEventId('order-workflow', orderId, sequence),
    eventType,
    schemaVersion: LIFECYCLE_SCHEMA_VERSION,
    orderId,
    occurredAt,
    source: 'order-workflow',
    sequence,
    payload,
  };
}

/** Idempotency key of a side effect: stable across retries and replays of the same step. */
export const idempotencyKey = (workflowId: string, step: string): string => `${workflowId}/${step}`;
