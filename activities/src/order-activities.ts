/**
 * The order workflow's side effects. Each activity is idempotent by a key derived from the
 * workflow id and the step name the workflow passes (`idempotencyKey`), so a retry or a replay
 * never charges, reserves or notifies twice. Through `asActivity`, business outcomes become
 * non-retryable failures and everything else is transient: retried, with a jittered delay, as
 * often as the workflow's retry policy allows.
 */
import { Context } from '@temporalio/activity';
import {
  type DegradedModeConfig,
  type DegradedModeName,
  fraudRouteFor,
  type FraudRoute,
  idempotencyKey,
  type CustomerSegment,
  type LifecycleEvent,
  type NotificationKind,
  NOTIFICATION_MESSAGES,
  type OrderStatusView,
  type PolicySet,
  type StagePolicy,
} from '@order-platform/domain';
import { asActivity } from './errors';
import type { FraudPort, FraudVerdict } from './fraud/fraud.port';
import type { FulfillmentPort } from './fulfillment/fulfillment.port';
import type { InventoryPort, Reservation, StockLine } from './inventory/inventory.port';
import type { LifecycleEventPublisher } from './lifecycle-events/lifecycle-events.port';
import type { NotificationPort } from './notifications/notifications.port';
import type { Authorization, PaymentPort } from './payment/payment.port';
import type { OrderStatusProjector } from './read-model/read-model.port';

export interface OrderActivityDependencies {
  fraud: FraudPort;
  inventory: InventoryPort;
  payment: PaymentPort;
  fulfillment: FulfillmentPort;
  notifications: NotificationPort;
  events: LifecycleEventPublisher;
  readModel: OrderStatusProjector;
  /** The policies in force in this worker (defaults plus configuration). */
  policies: () => PolicySet;
  /** Where orders read, at decision time, whether a degraded mode is on. */
  degradedModes: {
    get(name: DegradedModeName): Promise<{ active: boolean; config: DegradedModeConfig }>;
  };
}

/** Every side-effecting input names its step; with the workflow id it is the idempotency key. */
interface Step {
  step: string;
}

function keyFor(step: string): string {
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  if (!workflowId) throw new Error('order activities run inside an order workflow');
  return idempotencyKey(workflowId, step);
}

/** How often a long call tells Temporal it is alive (the activity's heartbeat timeout is larger). */
const HEARTBEAT_EVERY_MS = 2_000;

export function createOrderActivities(deps: OrderActivityDependencies) {
  return {
    /** Read at decision time, so a policy change reaches orders without changing workflow code. */
    async loadStagePolicy(segment: CustomerSegment): Promise<StagePolicy> {
      return deps.policies()[segment];
    },

    /** The fraud route for an order now: the provider, or a shortcut of a degraded mode. */
    async routeFraudDecision(order: {
      segment: CustomerSegment;
      totalMinor: number;
    }): Promise<FraudRoute> {
      const mode = await deps.degradedModes.get('fraud-backlog');
      return fraudRouteFor(order, deps.policies()[order.segment], mode);
    },

    async screenOrder(
      input: Step & {
        orderId: string;
        customerId: string;
        segment: CustomerSegment;
        totalMinor: number;
        currency: string;
      },
    ): Promise<FraudVerdict> {
      const context = Context.current();
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const { step, ...request } = input;
        return await asActivity(() =>
          deps.fraud.screen(
            { ...request, idempotencyKey: keyFor(step) },
            context.cancellationSignal,
          ),
        );
      } finally {
        clearInterval(heartbeat);
      }
    },

    async reserveInventory(
      input: Step & { orderId: string; lines: StockLine[]; ttlMs: number },
    ): Promise<Reservation> {
      const { step, ...request } = input;
      return asActivity(() => deps.inventory.reserve({ ...request, idempotencyKey: keyFor(step) }));
    },

    async allocateInventory(input: Step & { reservationId: string }): Promise<void> {
      return asActivity(() =>
        deps.inventory.allocate({
          reservationId: input.reservationId,
          idempotencyKey: keyFor(input.step),
        }),
      );
    },

    async releaseInventory(input: Step & { reservationId: string }): Promise<void> {
      return asActivity(() =>
        deps.inventory.release({
          reservationId: input.reservationId,
          idempotencyKey: keyFor(input.step),
        }),
      );
    },

    async authorizePayment(
      input: Step & {
        orderId: string;
        customerId: string;
        amountMinor: number;
        currency: string;
        validityMs: number;
      },
    ): Promise<Authorization> {
      const { step, ...request } = input;
      return asActivity(() => deps.payment.authorize({ ...request, idempotencyKey: keyFor(step) }));
    },

    async voidAuthorization(input: Step & { authorizationId: string }): Promise<void> {
      return asActivity(() =>
        deps.payment.void({
          authorizationId: input.authorizationId,
          idempotencyKey: keyFor(input.step),
        }),
      );
    },

    async capturePayment(
      input: Step & { authorizationId: string; amountMinor: number },
    ): Promise<{ captureId: string }> {
      const { step, ...request } = input;
      return asActivity(() => deps.payment.capture({ ...request, idempotencyKey: keyFor(step) }));
    },

    async refundCapture(
      input: Step & { captureId: string; amountMinor: number },
    ): Promise<{ refundId: string }> {
      const { step, ...request } = input;
      return asActivity(() => deps.payment.refund({ ...request, idempotencyKey: keyFor(step) }));
    },

    async createShipment(
      input: Step & { orderId: string; lines: StockLine[] },
    ): Promise<{ shipmentId: string }> {
      const { step, ...request } = input;
      return asActivity(() =>
        deps.fulfillment.createShipment({ ...request, idempotencyKey: keyFor(step) }),
      );
    },

    async cancelShipment(input: Step & { shipmentId: string }): Promise<void> {
      return asActivity(() =>
        deps.fulfillment.cancelShipment({
          shipmentId: input.shipmentId,
          idempotencyKey: keyFor(input.step),
        }),
      );
    },

    /** The key is the order and the kind: a customer hears of each change once, whatever retries. */
    async notifyCustomer(input: {
      orderId: string;
      customerId: string;
      kind: NotificationKind;
    }): Promise<{ duplicate: boolean }> {
      return asActivity(() =>
        deps.notifications.notify({
          ...input,
          message: NOTIFICATION_MESSAGES[input.kind],
          idempotencyKey: keyFor(`notify-${input.kind}`),
        }),
      );
    },

    async publishLifecycleEvent(event: LifecycleEvent): Promise<void> {
      return asActivity(() => deps.events.publish(event));
    },

    async projectOrderStatus(view: OrderStatusView): Promise<{ applied: boolean }> {
      return asActivity(() => deps.readModel.project(view));
    },

    /**
     * A change of an order, made visible: its events in order, then the view. A retry publishes
     * again; the events' ids are deterministic and consumers dedupe by them, and the projection
     * keeps the newest version.
     */
    async recordOrderChange(change: {
      events: LifecycleEvent[];
      view: OrderStatusView;
    }): Promise<{ applied: boolean }> {
      return asActivity(async () => {
        for (const event of change.events) await deps.events.publish(event);
        return deps.readModel.project(change.view);
      });
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
