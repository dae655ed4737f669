import { randomUUID } from 'node:crypto';
import type { PlacedOrder } from '@order-platform/domain';

/** A one-line order of `customerId`'s, placed `minutesAgo` minutes ago: for the stores' suites. */
export const placedOrderOf = (customerId: string, minutesAgo = 0): PlacedOrder => ({
  orderId: randomUUID(),
  customerId,
  segment: 'standard',
  items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 1_000 }],
  currency: 'EUR',
  expedited: false,
  placedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
});
