/**
 * What the legacy monolith decided, in the platform's words: the facts the mirror publishes on
 * `legacy.order-events.v1`, whichever source they came from (the monolith's transaction log or
 * its outbox). Each fact happens at most once per order in the monolith's lifecycle (a
 * notification once per kind), so its id is derived from the order and the fact (and the kind):
 * a replay, a restart or a switch of source produces the same id, and consumers recognise it.
 * `sequence` is the fact's place in the lifecycle below: increasing per order, with gaps where
 * the order skipped a step (a rejected order has no payment), so a consumer can still tell "out
 * of order" from "missing".
 */
import { type EventEnvelope, LIFECYCLE_SCHEMA_VERSION } from './events';
import type { NotificationKind } from './notifications';
import { type CustomerSegment, orderTotalMinor, type PlacedOrder } from './order';
import { type Downstream, DOWNSTREAMS } from './resilience';

/** In lifecycle order; the index + 1 is the fact's `sequence`. */
export const LEGACY_FACT_TYPES = [
  'LegacyOrderPlaced',
  'LegacyFraudDecided',
  'LegacyStockReserved',
  'LegacyPaymentAuthorized',
  'LegacyOrderAccepted',
  'LegacyOrderRejected',
  'LegacyOrderShipped',
  'LegacyPaymentCaptured',
  'LegacyOrderDelivered',
  'LegacyOrderCancelled',
  'LegacyStockReleased',
  'LegacyPaymentVoided',
  // What the customer was told (once per kind): its place is after every decision it reports.
  'LegacyCustomerNotified',
] as const;
export type LegacyFactType = (typeof LEGACY_FACT_TYPES)[number];

/**
 * The facts the workflow that follows a monolith order waits for (the placement starts it): the
 * signal bridge signals these and takes the rest (captures, releases, voids, notifications: the
 * monolith's bookkeeping after a decision, which the comparator and reconciliation read from
 * the topic) without a signal. Each signal costs a Temporal call and a workflow task, and the
 * rest, about a third of an order's facts, often come after its workflow has finished.
 */
export const LEGACY_FACTS_FOLLOWED = [
  'LegacyOrderPlaced',
  'LegacyFraudDecided',
  'LegacyStockReserved',
  'LegacyPaymentAuthorized',
  'LegacyOrderAccepted',
  'LegacyOrderRejected',
  'LegacyOrderShipped',
  'LegacyOrderDelivered',
  'LegacyOrderCancelled',
] as const satisfies readonly LegacyFactType[];
export type FollowedLegacyFactType = (typeof LEGACY_FACTS_FOLLOWED)[number];

export const isFollowedLegacyFact = (type: LegacyFactType): type is FollowedLegacyFactType =>
  (LEGACY_FACTS_FOLLOWED as readonly LegacyFactType[]).includes(type);

/**
 * Each downstream context's migration stage. Stage names are stored (stage routes, comparisons)
 * and sent (`StageDecided` events, the migration API) as first written, so two keep the
 * monolith's spelling.
 */
export const MIGRATION_STAGE_OF = {
  fraud: 'fraud',
  inventory: 'inventory',
  payment: 'payment',
  fulfillment: 'fulfilment',
  notifications: 'notification',
} as const satisfies Record<Downstream, string>;
export type MigrationStage = (typeof MIGRATION_STAGE_OF)[Downstream];

/** The stages a team migrates one at a time (docs/architecture.md#strangler-routing). */
export const MIGRATION_STAGES: readonly MigrationStage[] = DOWNSTREAMS.map(
  (context) => MIGRATION_STAGE_OF[context],
);

/** Which stage's decision a legacy fact records (undefined: lifecycle bookkeeping). */
export const STAGE_OF_LEGACY_FACT: Readonly<Partial<Record<LegacyFactType, MigrationStage>>> = {
  LegacyFraudDecided: 'fraud',
  LegacyStockReserved: 'inventory',
  LegacyStockReleased: 'inventory',
  LegacyPaymentAuthorized: 'payment',
  LegacyPaymentCaptured: 'payment',
  LegacyPaymentVoided: 'payment',
  LegacyOrderShipped: 'fulfilment',
  LegacyOrderDelivered: 'fulfilment',
  LegacyCustomerNotified: 'notification',
};

/**
 * The kinds of notification a monolith order can get, in the platform's words: the order's own
 * commitment changes (no returns, no "delayed": the monolith has neither).
 */
export const LEGACY_NOTIFICATION_KINDS = [
  'confirmed',
  'rejected',
  'shipped',
  'delivered',
  'cancelled',
] as const satisfies readonly NotificationKind[];
export type LegacyNotificationKind = (typeof LEGACY_NOTIFICATION_KINDS)[number];

export interface LegacyLine {
  sku: string;
  quantity: number;
  unitPriceMinor?: number;
}

/** Payloads, in minor units and the platform's names. */
export interface LegacyFactPayloads {
  LegacyOrderPlaced: {
    customerId: string;
    lines: LegacyLine[];
    totalMinor: number;
    currency: string;
    expedited: boolean;
    /**
     * The stages the monolith handed over to the platform for this order: it waits for the
     * platform's outcome of each. Absent when the monolith does not say (it hands nothing over).
     */
    handedOver?: MigrationStage[];
  };
  LegacyFraudDecided: {
    decision: 'approve' | 'reject';
    decidedBy: 'rules' | 'external';
    score: number | null;
  };
  LegacyStockReserved: { lines: LegacyLine[] };
  LegacyPaymentAuthorized: { authorizationId: string; amountMinor: number; currency: string };
  LegacyOrderAccepted: Record<string, never>;
  LegacyOrderRejected: { reason: string };
  LegacyOrderShipped: Record<string, never>;
  LegacyPaymentCaptured: { authorizationId: string; amountMinor: number };
  LegacyOrderDelivered: Record<string, never>;
  LegacyOrderCancelled: { reason: string };
  LegacyStockReleased: { lines: LegacyLine[] };
  LegacyPaymentVoided: { authorizationId: string };
  /** The customer was told `kind`, by the monolith or by the platform (notification handed over). */
  LegacyCustomerNotified: { kind: LegacyNotificationKind; sentBy: 'monolith' | 'platform' };
}

export type LegacyEvent<T extends LegacyFactType = LegacyFactType> = EventEnvelope<
  LegacyFactPayloads[T]
> & { eventType: T; source: 'legacy-monolith' };

/**
 * A fact's id, from its order and type, and for the one fact an order can have several of
 * (`LegacyCustomerNotified`, once per kind) the kind too.
 */
export const legacyEventId = (orderId: string, type: LegacyFactType, kind?: string): string =>
  kind === undefined
    ? `legacy-monolith:${orderId}:${type}`
    : `legacy-monolith:${orderId}:${type}:${kind}`;

/** What tells two facts of one type apart within an order (undefined: at most one per order). */
export function legacyFactDiscriminator(
  type: LegacyFactType,
  payload: unknown,
): string | undefined {
  if (type !== 'LegacyCustomerNotified') return undefined;
  const kind = (payload as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : '';
}

export function legacyEvent<T extends LegacyFactType>(
  orderId: string,
  eventType: T,
  occurredAt: string,
  payload: LegacyFactPayloads[T],
): LegacyEvent<T> {
  return {
    eventId: legacyEventId(orderId, eventType, legacyFactDiscriminator(eventType, payload)),
    eventType,
    schemaVersion: LIFECYCLE_SCHEMA_VERSION,
    orderId,
    occurredAt,
    source: 'legacy-monolith',
    sequence: LEGACY_FACT_TYPES.indexOf(eventType) + 1,
    payload,
  } as LegacyEvent<T>;
}

/**
 * How the legacy adapter reaches the workflow that follows a monolith order: by name, so the
 * adapter needs none of the workflow code. `order-<orderId>` like every order.
 */
export const LEGACY_ORDER_WORKFLOW_TYPE = 'legacyOrderLifecycle';
export const LEGACY_FACT_SIGNAL = 'legacyFact';

/** The order a monolith placed, as the platform's workflow takes it. */
export function placedOrderFromLegacy(
  event: LegacyEvent<'LegacyOrderPlaced'>,
  segment: CustomerSegment = 'standard',
): PlacedOrder {
  const items = event.payload.lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitPriceMinor: line.unitPriceMinor ?? 0,
  }));
  // The monolith charges expedited shipping on top of its lines: what its total holds beyond
  // them (nothing for older orders, whose total is the lines'), when every line has its price.
  const priced = event.payload.lines.every((line) => line.unitPriceMinor !== undefined);
  const shippingMinor =
    event.payload.expedited && priced ? event.payload.totalMinor - orderTotalMinor({ items }) : 0;
  return {
    orderId: event.orderId,
    customerId: event.payload.customerId,
    segment,
    items,
    currency: event.payload.currency,
    expedited: event.payload.expedited,
    ...(shippingMinor > 0 ? { shippingMinor } : {}),
    placedAt: event.occurredAt,
    ...(event.payload.handedOver ? { handedOver: event.payload.handedOver } : {}),
  };
}
