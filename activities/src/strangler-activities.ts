/**
 * The activities of the workflow that follows a monolith order (strangler): which system decides
 * each stage for this order, the side-effect-free checks a shadow decision rests on, and telling
 * the monolith what the platform decided for a stage it owns.
 */
import { type MigrationRoute, type MigrationStage, routesForOrder } from '@order-platform/domain';
import { asActivity } from './errors';
import type { InventoryPort, StockLine } from './inventory/inventory.port';
import type { MonolithPort } from './legacy/monolith.port';
import type { StageRouteReader } from './routing/stage-routes';

export interface StranglerActivityDependencies {
  routes: StageRouteReader;
  inventory: InventoryPort;
  monolith: MonolithPort;
}

export function createStranglerActivities(deps: StranglerActivityDependencies) {
  return {
    /** Read once, when the order starts: its routes never change afterwards. */
    async resolveStageRoutes(input: {
      orderId: string;
    }): Promise<Record<MigrationStage, MigrationRoute>> {
      return routesForOrder(input.orderId, await asActivity(() => deps.routes.routes()));
    },

    async checkAvailability(input: { lines: StockLine[] }): Promise<boolean> {
      return asActivity(() => deps.inventory.isAvailable(input.lines));
    },

    async tellMonolithFraudDecision(input: {
      orderId: string;
      decision: 'approve' | 'reject';
      reference: string;
    }): Promise<{ accepted: boolean }> {
      return asActivity(() => deps.monolith.decideFraud(input));
    },
  };
}

export type StranglerActivities = ReturnType<typeof createStranglerActivities>;
