/**
 * The activities of the workflow that follows a monolith order (strangler), all on the order
 * task queue: which system decides each stage for this order, the side-effect-free check a
 * shadow decision rests on, and telling the monolith what the platform decided for a stage it
 * owns.
 */
import { type MigrationRoute, type MigrationStage, routesForOrder } from '@order-platform/domain';
import { createInventoryShadowActivities } from './inventory/inventory.activities';
import type { InventoryPort } from './inventory/inventory.port';
import { createMonolithActivities } from './monolith/monolith.activities';
import type { MonolithPort } from './monolith/monolith.port';
import { portActivity } from './port-activity';
import type { StageRouteReader } from './routing/stage-routes';

export interface StranglerActivityDependencies {
  routes: StageRouteReader;
  inventory: InventoryPort;
  monolith: MonolithPort;
}

export function createStranglerActivities(deps: StranglerActivityDependencies) {
  return {
    /** Read once, when the order starts: its routes never change afterwards. */
    resolveStageRoutes: portActivity(
      async (_, input: { orderId: string }): Promise<Record<MigrationStage, MigrationRoute>> =>
        routesForOrder(input.orderId, await deps.routes.routes()),
    ),
    ...createInventoryShadowActivities(deps),
    ...createMonolithActivities(deps),
  };
}

export type StranglerActivities = ReturnType<typeof createStranglerActivities>;
