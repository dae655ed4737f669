/**
 * An in-memory downstream world for workflow tests: warehouse, payment gateway with a ledger,
 * fraud provider, fulfilment and notifier, plus the event log and read model. The fakes sit
 * behind the real ports, and the real activities (`createOrderActivities`) run on top, so the
 * tests exercise idempotency keys and the mapping of business outcomes too. Times come from the
 * activity's scheduled time, which is the test server's (skipped) clock.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  CircuitOpenError,
  createOrderActivities,
  type FraudVerdict,
  type OrderActivities,
  outOfStock,
  paymentDeclined,
  reservationExpired,
  authorizationExpired,
  shipmentAlreadyDispatched,
  type StockLine,
} from '@order-platform/activities';
import {
  DEFAULT_DEGRADED_MODE,
  type DegradedModeConfig,
  DEFAULT_POLICIES,
  DOWNSTREAM_REJECTED,
  type LifecycleEvent,
  type NotificationKind,
  type OrderStatusView,
  type PolicySet,
} from '@order-platform/domain';

/** `pending`: the provider queues the order (its decision would come later, by signal). */
/** `circuit-open`: the worker's circuit breaker refuses the call without asking the provider. */
export type FraudBehaviour =
  'approve' | 'reject' | 'review' | 'pending' | 'unavailable' | 'circuit-open';

interface ReservationRecord {
  reservationId: string;
  orderId: string;
  lines: StockLine[];
  expiresAt: number;
  state: 'reserved' | 'allocated' | 'released';
}

interface AuthorizationRecord {
  authorizationId: string;
  orderId: string;
  amountMinor: number;
  expiresAt: number;
  state: 'authorized' | 'voided' | 'captured';
}

export interface LedgerEntry {
  kind: 'authorization' | 'void' | 'capture' | 'refund';
  orderId: string;
  /** The authorization's id for `authorization` and `void`; the capture's or refund's own id otherwise. */
  reference: string;
  amountMinor: number;
  /** For a refund: the capture it gives back from. */
  captureId?: string;
}

const now = (): number => Context.current().info.currentAttemptScheduledTimestampMs;

export class FakeOrderWorld {
  readonly onHand = new Map<string, number>();
  /** Returned parcels put back on hand, once per return. */
  readonly restocked: { returnId: string; orderId: string; sku: string; quantity: number }[] = [];
  readonly reservations = new Map<string, ReservationRecord>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  readonly ledger: LedgerEntry[] = [];
  readonly shipments = new Map<
    string,
    { orderId: string; state: 'requested' | 'dispatched' | 'cancelled' }
  >();
  /** Every notification sent; a return's names its return. */
  readonly notifications: {
    orderId: string;
    customerId: string;
    kind: NotificationKind;
    returnId?: string;
  }[] = [];
  readonly events: LifecycleEvent[] = [];
  /** Every view projected, in order, and the read model as it stands (by order id). */
  readonly projections: OrderStatusView[] = [];
  /** What the downstream world really held for the order when each view was projected. */
  readonly heldAtProjection: {
    view: OrderStatusView;
    held: { reservations: string[]; authorizations: string[] };
  }[] = [];
  readonly readModel = new Map<string, OrderStatusView>();
  /** Calls seen per activity, and failures to inject (activity name → failures before success). */
  readonly calls = new Map<string, number>();
  readonly failNext = new Map<string, number>();
  /** Activities the downstream refuses for good (a 4xx): each call fails, non-retryable. */
  readonly rejecting = new Set<string>();
  /** Every call as it was made (workflow time), in order. */
  readonly callLog: { name: string; at: number }[] = [];
  fraud: FraudBehaviour = 'approve';
  declineCustomers = new Set<string>();
  policies: PolicySet = DEFAULT_POLICIES;
  /** The fraud-backlog degraded mode as orders read it at decision time. */
  degradedMode: { active: boolean; config: DegradedModeConfig } = {
    active: false,
    config: DEFAULT_DEGRADED_MODE,
  };
  readonly responses = new Map<string, unknown>();
  private counter = 0;

  constructor(stock: Record<string, number> = { 'SKU-1': 100, 'SKU-2': 100 }) {
    for (const [sku, quantity] of Object.entries(stock)) this.onHand.set(sku, quantity);
  }

  available(sku: string, at = Number.MAX_SAFE_INTEGER): number {
    let held = 0;
    for (const r of this.reservations.values()) {
      const active = r.state === 'allocated' || (r.state === 'reserved' && r.expiresAt > at);
      if (active) held += r.lines.filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0);
    }
    return (this.onHand.get(sku) ?? 0) - held;
  }

  /** Replays the stored response for a key, as a real idempotent downstream would. */
  async once<T>(key: string, effect: () => T | Promise<T>): Promise<T> {
    if (this.responses.has(key)) return this.responses.get(key) as T;
    const result = await effect();
    this.responses.set(key, result);
    return result;
  }

  id(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  activities(): OrderActivities {
    return fakeActivities(this);
  }
  /** Stock and authorizations an order still holds (what a terminal order must have none of). */
  heldBy(orderId: string, at: number): { reservations: string[]; authorizations: string[] } {
    return {
      reservations: [...this.reservations.values()]
        .filter(
          (r) =>
            r.orderId === orderId &&
            (r.state === 'allocated' || (r.state === 'reserved' && r.expiresAt > at)),
        )
        .map((r) => r.reservationId),
      authorizations: [...this.authorizations.values()]
        .filter((a) => a.orderId === orderId && a.state === 'authorized' && a.expiresAt > at)
        .map((a) => a.authorizationId),
    };
  }

  eventTypes(orderId: string): string[] {
    return this.events.filter((e) => e.orderId === orderId).map((e) => e.eventType);
  }

  told(orderId: string): NotificationKind[] {
    return this.notifications.filter((n) => n.orderId === orderId).map((n) => n.kind);
  }
}

/** The real order activities over fake ports, with failure injection around each. */
function fakeActivities(world: FakeOrderWorld): OrderActivities {
  const real = createOrderActivities({
    policies: () => world.policies,
    degradedModes: { get: async () => world.degradedMode },
    fraud: {
      async screen(request): Promise<FraudVerdict> {
        if (world.fraud === 'unavailable') throw new Error('fraud provider unavailable');
        if (world.fraud === 'circuit-open') throw new CircuitOpenError(30_000);
        const decision = world.fraud;
        return {
          decision,
          score: decision === 'approve' ? 5 : 90,
          reference: `fraud-${request.orderId}`,
        };
      },
    },
    inventory: {
      isAvailable: async (lines) => {
        const at = now();
        return lines.every((line) => world.available(line.sku, at) >= line.quantity);
      },
      reserve: (request) =>
        world.once(request.idempotencyKey, () => {
          const at = now();
          for (const line of request.lines) {
            if (world.available(line.sku, at) < line.quantity)
              throw outOfStock(`${line.sku} is out of stock`);
          }
          const reservationId = world.id('res');
          const expiresAt = at + request.ttlMs;
          world.reservations.set(reservationId, {
            reservationId,
            orderId: request.orderId,
            lines: request.lines,
            expiresAt,
            state: 'reserved',
          });
          return { reservationId, expiresAt: new Date(expiresAt).toISOString() };
        }),
      allocate: (request) =>
        world.once(request.idempotencyKey, () => {
          const r = world.reservations.get(request.reservationId);
          if (!r || r.state === 'released' || (r.state === 'reserved' && r.expiresAt <= now())) {
            throw reservationExpired(`reservation ${request.reservationId} lapsed`);
          }
          r.state = 'allocated';
        }),
      release: (request) =>
        world.once(request.idempotencyKey, () => {
          const r = world.reservations.get(request.reservationId);
          if (r) r.state = 'released';
        }),
      restock: (request) =>
        world.once(request.idempotencyKey, () => {
          if (world.restocked.some((r) => r.returnId === request.returnId)) return;
          for (const { sku, quantity } of request.lines) {
            world.onHand.set(sku, (world.onHand.get(sku) ?? 0) + quantity);
            world.restocked.push({
              returnId: request.returnId,
              orderId: request.orderId,
              sku,
              quantity,
            });
          }
        }),
    },
    payment: {
      authorize: (request) =>
        world.once(request.idempotencyKey, () => {
          if (world.declineCustomers.has(request.customerId))
            throw paymentDeclined('card declined');
          const authorizationId = world.id('auth');
          const expiresAt = now() + request.validityMs;
          world.authorizations.set(authorizationId, {
            authorizationId,
            orderId: request.orderId,
            amountMinor: request.amountMinor,
            expiresAt,
            state: 'authorized',
          });
          world.ledger.push({
            kind: 'authorization',
            orderId: request.orderId,
            reference: authorizationId,
            amountMinor: request.amountMinor,
          });
          return { authorizationId, expiresAt: new Date(expiresAt).toISOString() };
        }),
      void: (request) =>
        world.once(request.idempotencyKey, () => {
          const a = world.authorizations.get(request.authorizationId);
          if (a && a.state === 'authorized') {
            a.state = 'voided';
            world.ledger.push({
              kind: 'void',
              orderId: a.orderId,
              reference: a.authorizationId,
              amountMinor: a.amountMinor,
            });
          }
        }),
      capture: (request) =>
        world.once(request.idempotencyKey, () => {
          const a = world.authorizations.get(request.authorizationId);
          if (!a || a.state !== 'authorized' || a.expiresAt <= now())
            throw authorizationExpired('authorization no longer valid');
          a.state = 'captured';
          const captureId = world.id('cap');
          world.ledger.push({
            kind: 'capture',
            orderId: a.orderId,
            reference: captureId,
            amountMinor: request.amountMinor,
          });
          return { captureId };
        }),
      refund: (request) =>
        world.once(request.idempotencyKey, () => {
          const capture = world.ledger.find(
            (e) => e.kind === 'capture' && e.reference === request.captureId,
          );
          const refunded = world.ledger
            .filter((e) => e.kind === 'refund' && e.captureId === request.captureId)
            .reduce((sum, e) => sum + e.amountMinor, 0);
          // As the payment gateway does: never more than is left of the capture.
          if (!capture || request.amountMinor > capture.amountMinor - refunded)
            throw new Error(`refund of ${request.amountMinor} exceeds the capture`);
          const refundId = world.id('ref');
          world.ledger.push({
            kind: 'refund',
            orderId: capture.orderId,
            reference: refundId,
            amountMinor: request.amountMinor,
            captureId: request.captureId,
          });
          return { refundId };
        }),
    },
    // The platform's own address records are not the world's: no order has one here.
    shippingAddresses: { find: async () => ({ state: 'none' }) },
    fulfillment: {
      createShipment: (request) =>
        world.once(request.idempotencyKey, () => {
          const shipmentId = world.id('shp');
          world.shipments.set(shipmentId, { orderId: request.orderId, state: 'requested' });
          return { shipmentId };
        }),
      cancelShipment: (request) =>
        world.once(request.idempotencyKey, () => {
          const shipment = world.shipments.get(request.shipmentId);
          if (shipment?.state === 'dispatched')
            throw shipmentAlreadyDispatched('the parcel has left');
          if (shipment) shipment.state = 'cancelled';
        }),
    },
    notifications: {
      notify: async (request) => {
        const duplicate = world.responses.has(request.idempotencyKey);
        const { notificationId } = await world.once(request.idempotencyKey, () => {
          // The notifier knows a return only by its key (`<workflow>/notify-<kind>-<returnId>`).
          const returnId = request.idempotencyKey.split(`/notify-${request.kind}-`)[1];
          world.notifications.push({
            orderId: request.orderId,
            customerId: request.customerId,
            kind: request.kind,
            ...(returnId === undefined ? {} : { returnId }),
          });
          return { notificationId: world.id('ntf') };
        });
        return { duplicate, notificationId, channel: 'email' };
      },
    },
    // The platform's record of what it sent is its database's, not the world's.
    sentNotifications: { record: async () => undefined },
    events: { publish: async (event) => void world.events.push(event) },
    readModel: {
      project: async (view) => {
        world.projections.push(view);
        // The view's own instant, or later if the projection ran later (a retry): a change is
        // recorded by a local activity, whose attempt time is the worker's clock, not the
        // time-skipping server's.
        const at = Math.max(Date.parse(view.asOf), now());
        world.heldAtProjection.push({ view, held: world.heldBy(view.orderId, at) });
        const stored = world.readModel.get(view.orderId);
        if (stored && stored.version >= view.version) return { applied: false };
        world.readModel.set(view.orderId, view);
        return { applied: true };
      },
    },
  });
  // Failure injection: the named activity throws (transiently) the given number of times, or is
  // refused for good (the DownstreamRejected a 4xx becomes in asActivity).
  return Object.fromEntries(
    Object.entries(real).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        world.calls.set(name, (world.calls.get(name) ?? 0) + 1);
        world.callLog.push({ name, at: now() });
        if (world.rejecting.has(name)) {
          throw ApplicationFailure.create({
            message: `POST /${name}: 422 urn:simulators:refused (injected refusal)`,
            type: DOWNSTREAM_REJECTED,
            nonRetryable: true,
          });
        }
        const failures = world.failNext.get(name) ?? 0;
        if (failures > 0) {
          world.failNext.set(name, failures - 1);
          throw new Error(`injected failure of ${name}`);
        }
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as OrderActivities;
}
