import { legacyEvent, placedOrderFromLegacy } from './legacy-events';
import { orderTotalMinor } from './order';

const placed = (totalMinor: number, expedited: boolean) =>
  legacyEvent('L-1', 'LegacyOrderPlaced', '2026-11-23T10:00:00.000Z', {
    customerId: 'c-1',
    lines: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 1_250 }],
    totalMinor,
    currency: 'EUR',
    expedited,
  });

describe('a monolith order as the platform takes it', () => {
  it("keeps the monolith's expedited shipping charge, so the platform's total is the monolith's", () => {
    const order = placedOrderFromLegacy(placed(3_400, true));
    expect(order).toMatchObject({ expedited: true, shippingMinor: 900 });
    expect(orderTotalMinor(order)).toBe(3_400);
  });

  it('charges nothing beyond the lines for a standard order', () => {
    const order = placedOrderFromLegacy(placed(2_500, false));
    expect(order.shippingMinor).toBeUndefined();
    expect(orderTotalMinor(order)).toBe(2_500);
  });
});
