import { admittedOrderView, type PlacedOrder } from '@order-platform/domain';
import type { CustomerOrderCache, OrderStatusStore, StoredOrder } from '@order-platform/stores';
import type { AdmissionService } from '../admission/admission.service';
import type { Principal } from '../auth/tokens';
import { OrdersService } from './orders.service';

const placed: PlacedOrder = {
  orderId: 'o-1',
  customerId: 'c-1',
  segment: 'standard',
  items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 500 }],
  currency: 'EUR',
  expedited: false,
  placedAt: '2026-12-01T10:00:00.000Z',
};
const customer: Principal = { subject: 'c-1', roles: ['customer'], segment: 'standard' };

/**
 * The service over one stored order: the cache hands back the same object on every read, as it
 * does while the order is unchanged; the database makes a new row each time.
 */
function service() {
  const cached: StoredOrder = {
    view: admittedOrderView(placed),
    orderId: placed.orderId,
    placedAt: placed.placedAt,
  };
  const row = (): StoredOrder => ({ ...cached, view: admittedOrderView(placed) });
  const cache = { findCustomerOrder: () => Promise.resolve(cached) };
  const database = {
    findCustomerOrder: () => Promise.resolve(row()),
    listCustomerOrders: () => Promise.resolve([row()]),
  };
  const admission = { temporalAnswering: true };
  return new OrdersService(
    undefined as never,
    undefined as never,
    undefined as never,
    database as unknown as OrderStatusStore,
    cache as unknown as CustomerOrderCache,
    admission as unknown as AdmissionService,
    undefined as never,
  );
}

describe('OrdersService answers', () => {
  it("keeps the status read's answer for an order the cache hands back unchanged", async () => {
    const orders = service();
    const first = await orders.read(customer, placed.orderId, 'eventual');
    expect(await orders.read(customer, placed.orderId, 'eventual')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.status).toBe('RECEIVED');
  });

  it('makes the order list its answers afresh from the rows just read', async () => {
    const orders = service();
    const [first] = (await orders.list(customer, { limit: 10 })).orders;
    const [again] = (await orders.list(customer, { limit: 10 })).orders;
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(false);
  });
});
