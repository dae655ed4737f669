/**
 * The inventory context's activities. The saga's steps (reserve, allocate, release) and the
 * restock of a returned parcel run on the
 * inventory bulkhead; the availability check a shadow decision rests on is scheduled by the
 * legacy order workflow on the order task queue.
 */
import { portActivity, stepActivity } from '../port-activity';
import type { InventoryPort, StockLine } from './inventory.port';

export function createInventoryActivities(ports: { inventory: InventoryPort }) {
  const { inventory } = ports;
  return {
    reserveInventory: stepActivity(inventory.reserve.bind(inventory)),
    allocateInventory: stepActivity(inventory.allocate.bind(inventory)),
    releaseInventory: stepActivity(inventory.release.bind(inventory)),
    restockInventory: stepActivity(inventory.restock.bind(inventory)),
  };
}

export type InventoryActivities = ReturnType<typeof createInventoryActivities>;

/** Side-effect free: whether the order's lines could be reserved now. */
export function createInventoryShadowActivities(ports: { inventory: InventoryPort }) {
  return {
    checkAvailability: portActivity((_, input: { lines: StockLine[] }) =>
      ports.inventory.isAvailable(input.lines),
    ),
  };
}

export type InventoryShadowActivities = ReturnType<typeof createInventoryShadowActivities>;
