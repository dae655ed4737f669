import { outOfStock, reservationExpired } from '../errors';
import { activityOf, failureOf } from '../testing/activity-environment';
import { createInventoryActivities, createInventoryShadowActivities } from './inventory.activities';
import type { InventoryPort } from './inventory.port';

const lines = [{ sku: 'SKU-1', quantity: 2 }];

function warehouse(overrides: Partial<InventoryPort> = {}) {
  const keys: string[] = [];
  const port: InventoryPort = {
    isAvailable: async () => true,
    reserve: async (request) => {
      keys.push(request.idempotencyKey);
      return { reservationId: 'res-1', expiresAt: '2026-11-23T10:15:00.000Z' };
    },
    allocate: async (request) => void keys.push(request.idempotencyKey),
    release: async (request) => void keys.push(request.idempotencyKey),
    restock: async (request) => void keys.push(request.idempotencyKey),
    ...overrides,
  };
  return { keys, port };
}

describe('holding stock for an order', () => {
  it('reserves, allocates and releases under the keys of the workflow’s steps', async () => {
    const { keys, port } = warehouse();
    const inventory = createInventoryActivities({ inventory: port });
    const environment = activityOf('order-o-1');
    expect(
      await environment.run(inventory.reserveInventory, {
        step: 'reserve',
        orderId: 'o-1',
        lines,
        ttlMs: 900_000,
      }),
    ).toEqual({ reservationId: 'res-1', expiresAt: '2026-11-23T10:15:00.000Z' });
    await environment.run(inventory.allocateInventory, {
      step: 'allocate',
      reservationId: 'res-1',
    });
    await environment.run(inventory.releaseInventory, {
      step: 'release-1',
      reservationId: 'res-1',
    });
    expect(keys).toEqual(['order-o-1/reserve', 'order-o-1/allocate', 'order-o-1/release-1']);
  });

  it('says OutOfStock and ReservationExpired as outcomes the saga acts on, not retries', async () => {
    const { port } = warehouse({
      reserve: async () => {
        throw outOfStock('SKU-1 is out of stock');
      },
      allocate: async () => {
        throw reservationExpired('reservation res-1 lapsed');
      },
    });
    const inventory = createInventoryActivities({ inventory: port });
    const reserving = activityOf().run(inventory.reserveInventory, {
      step: 'reserve',
      orderId: 'o-1',
      lines,
      ttlMs: 900_000,
    });
    expect(await failureOf(reserving)).toMatchObject({ type: 'OutOfStock', nonRetryable: true });
    const allocating = activityOf().run(inventory.allocateInventory, {
      step: 'allocate',
      reservationId: 'res-1',
    });
    expect(await failureOf(allocating)).toMatchObject({
      type: 'ReservationExpired',
      nonRetryable: true,
    });
  });

  it('checks availability for a shadow decision without holding anything', async () => {
    const asked: unknown[] = [];
    const { keys, port } = warehouse({
      isAvailable: async (wanted) => {
        asked.push(wanted);
        return false;
      },
    });
    const { checkAvailability } = createInventoryShadowActivities({ inventory: port });
    expect(await activityOf().run(checkAvailability, { lines })).toBe(false);
    expect(asked).toEqual([lines]);
    expect(keys).toEqual([]);
  });
});
