import type { LifecycleEvent } from '@order-platform/domain';

/** Publishes lifecycle events to `orders.lifecycle.v1`, keyed by order id. */
export interface LifecycleEventPublisher {
  publish(event: LifecycleEvent): Promise<void>;
}
