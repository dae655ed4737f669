import { lifecycleEvent } from './events';
import {
  orderTotalMinor,
  type PlacedOrder,
  validatePlacedOrder,
  orderIdOfWorkflow,
  workflowIdForOrder,
} from './order';

const order: PlacedOrder = {
  orderId: 'o-1',
  customerId: 'c-1',
  segment: 'standard',
  items: [
    { sku: 'A', quantity: 2, unitPriceMinor: 1_999 },
    { sku: 'B', quantity: 1, unitPriceMinor: 500 },
  ],
  currency: 'EUR',
  expedited: false,
  placedAt: '2026-11-23T10:00:00.000Z',
};

describe('an order', () => {
  it('totals in minor units, exactly', () => {
    expect(orderTotalMinor(order)).toBe(4_498);
  });

  it('adds the shipping the customer paid for to the total that is authorized', () => {
    expect(orderTotalMinor({ ...order, shippingMinor: 900 })).toBe(5_398);
  });

  it('is accepted when well formed, and every problem names its field otherwise', () => {
    expect(validatePlacedOrder(order)).toEqual([]);
    expect(
      validatePlacedOrder({
        ...order,
        orderId: 'no spaces',
        currency: 'euro',
        items: [{ sku: '', quantity: 0, unitPriceMinor: -1 }],
      }),
    ).toEqual([
      'orderId: 1-64 letters, digits, _ or -',
      'currency: ISO 4217 code',
      'items[0].sku: required',
      'items[0].quantity: a positive integer',
      'items[0].unitPriceMinor: a non-negative integer',
    ]);
  });

  it('has one workflow, and lifecycle events whose ids a replay reproduces', () => {
    expect(workflowIdForOrder('o-1')).toBe('order-o-1');
    expect(orderIdOfWorkflow(workflowIdForOrder('o-1'))).toBe('o-1');
    expect(orderIdOfWorkflow('backlog-monitor-orders')).toBeUndefined();
    expect(orderIdOfWorkflow('order-')).toBeUndefined();
    const a = lifecycleEvent('o-1', 3, 'OrderConfirmed', '2026-11-23T10:00:00.000Z');
    const b = lifecycleEvent('o-1', 3, 'OrderConfirmed', '2026-11-23T10:00:00.000Z');
    expect(a.eventId).toBe('order-workflow:o-1:3');
    expect(a).toEqual(b);
  });
});
