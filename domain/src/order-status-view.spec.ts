import { customerViewOf } from './customer-view';
import type { PlacedOrder } from './order';
import { admittedOrderView, neverStarted, unstartedOrderView } from './order-status-view';

const order: PlacedOrder = {
  orderId: 'o-1',
  customerId: 'c-1',
  segment: 'standard',
  items: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 500 }],
  currency: 'EUR',
  expedited: false,
  shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
  placedAt: '2026-11-29T10:00:00.000Z',
};
const at = '2026-11-29T10:15:00.000Z';

describe('an order whose workflow never started', () => {
  it('reads REJECTED once its start expired, holding nothing and no longer cancellable', () => {
    const view = unstartedOrderView(order, { outcome: 'expired', at });
    expect(view).toMatchObject({
      stage: 'Rejected',
      stageEnteredAt: at,
      commitments: {},
      cancellable: false,
      totalMinor: 1000,
    });
    expect(customerViewOf({ ...view, now: at }).status).toBe('REJECTED');
    expect(neverStarted(view)).toBe(true);
  });

  it('reads CANCELLED when the customer cancelled it before it started', () => {
    const view = unstartedOrderView(order, { outcome: 'cancelled', at });
    expect(customerViewOf({ ...view, now: at }).status).toBe('CANCELLED');
    expect(neverStarted(view)).toBe(true);
  });

  it('is not said of an order merely waiting for its first step', () => {
    expect(neverStarted(admittedOrderView(order))).toBe(false);
  });
});
