/**
 * The order workflow's activities. The platform's own (policy, fraud route, lifecycle recording)
 * run on the order task queue; each downstream context's run on its bulkhead
 * (`createDownstreamActivities`). `createOrderActivities` puts them all in one object: the type
 * the workflow's stubs are typed with, and what a test worker registers on every queue.
 */
import {
  type CustomerSegment,
  type DegradedModeConfig,
  type DegradedModeName,
  fraudRouteFor,
  type FraudRoute,
  type LifecycleEvent,
  type OrderStatusView,
  type PolicySet,
  type StagePolicy,
} from '@order-platform/domain';
import { createDownstreamActivities, type DownstreamPorts } from './downstream-activities';
import type { LifecycleEventPublisher } from './lifecycle-events/lifecycle-events.port';
import { portActivity } from './port-activity';
import type { OrderStatusProjector } from './read-model/read-model.port';

export interface OrderPlatformDependencies {
  events: LifecycleEventPublisher;
  readModel: OrderStatusProjector;
  /** The policies in force in this worker (defaults plus configuration). */
  policies: () => PolicySet;
  /** Where orders read, at decision time, whether a degraded mode is on. */
  degradedModes: {
    get(name: DegradedModeName): Promise<{ active: boolean; config: DegradedModeConfig }>;
  };
}

export function createOrderPlatformActivities(deps: OrderPlatformDependencies) {
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

    publishLifecycleEvent: portActivity((_, event: LifecycleEvent) => deps.events.publish(event)),

    projectOrderStatus: portActivity((_, view: OrderStatusView) => deps.readModel.project(view)),

    /**
     * A change of an order, made visible: its events in order, then the view. A retry publishes
     * again; the events' ids are deterministic and consumers dedupe by them, and the projection
     * keeps the newest version.
     */
    recordOrderChange: portActivity(
      async (_, change: { events: LifecycleEvent[]; view: OrderStatusView }) => {
        for (const event of change.events) await deps.events.publish(event);
        return deps.readModel.project(change.view);
      },
    ),
  };
}

export type OrderPlatformActivities = ReturnType<typeof createOrderPlatformActivities>;

export interface OrderActivityDependencies extends DownstreamPorts, OrderPlatformDependencies {}

/** Everything the order workflow schedules, whichever task queue each runs on. */
export function createOrderActivities(deps: OrderActivityDependencies) {
  const downstream = createDownstreamActivities(deps);
  return {
    ...createOrderPlatformActivities(deps),
    ...downstream.fraud,
    ...downstream.inventory,
    ...downstream.payment,
    ...downstream.fulfillment,
    ...downstream.notifications,
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
