import type { OrderStatusView } from '@order-platform/domain';

/** Writes the order status read model; a write older than what is stored is ignored. */
export interface OrderStatusProjector {
  /** @returns whether the write was applied (false: a newer version was already stored). */
  project(view: OrderStatusView): Promise<{ applied: boolean }>;
}
