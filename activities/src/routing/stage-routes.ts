/**
 * The strangler's routing table as the strangler activities read it when a workflow starts, so
 * each order's routes are fixed for its whole life (`StageRouteStore` in the stores).
 */
import type { StageRoute } from '@order-platform/domain';

export interface StageRouteReader {
  routes(): Promise<StageRoute[]>;
}
