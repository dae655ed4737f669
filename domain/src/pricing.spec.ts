import { type CatalogueAnswer, priceOrder } from './pricing';

const catalogue: CatalogueAnswer = {
  products: new Map([
    ['SKU-1', { priceMinor: 1_250, currency: 'EUR' }],
    ['SKU-2', { priceMinor: 4_000, currency: 'EUR' }],
    ['SKU-US', { priceMinor: 999, currency: 'USD' }],
  ]),
  shipping: [{ option: 'expedited', priceMinor: 900, currency: 'EUR' }],
};

describe('pricing an order from the catalogue', () => {
  it("prices every line at the catalogue's price, in the catalogue's currency", () => {
    const pricing = priceOrder(
      {
        items: [
          { sku: 'SKU-1', quantity: 2 },
          { sku: 'SKU-2', quantity: 1 },
        ],
        shipping: 'standard',
      },
      catalogue,
    );
    expect(pricing).toEqual({
      outcome: 'priced',
      quote: {
        items: [
          { sku: 'SKU-1', quantity: 2, unitPriceMinor: 1_250 },
          { sku: 'SKU-2', quantity: 1, unitPriceMinor: 4_000 },
        ],
        shipping: 'standard',
        shippingMinor: 0,
        currency: 'EUR',
        totalMinor: 6_500,
      },
    });
  });

  it('charges expedited shipping at its catalogue price and includes it in the total', () => {
    const pricing = priceOrder(
      { items: [{ sku: 'SKU-1', quantity: 1 }], shipping: 'expedited' },
      catalogue,
    );
    expect(pricing.outcome).toBe('priced');
    expect(pricing).toMatchObject({ quote: { shippingMinor: 900, totalMinor: 2_150 } });
  });

  it('accepts the total the customer expected, and asks to confirm a different one', () => {
    const request = { items: [{ sku: 'SKU-1', quantity: 2 }], shipping: 'standard' as const };
    expect(priceOrder({ ...request, expectedTotalMinor: 2_500 }, catalogue).outcome).toBe('priced');
    expect(priceOrder({ ...request, expectedTotalMinor: 2_000 }, catalogue)).toEqual({
      outcome: 'price-changed',
      quote: expect.objectContaining({ totalMinor: 2_500, currency: 'EUR' }),
    });
    expect(priceOrder({ ...request, expectedCurrency: 'USD' }, catalogue).outcome).toBe(
      'price-changed',
    );
  });

  it('names every line the catalogue does not sell', () => {
    const pricing = priceOrder(
      {
        items: [
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'NOPE', quantity: 1 },
          { sku: 'GONE', quantity: 3 },
        ],
        shipping: 'standard',
      },
      catalogue,
    );
    expect(pricing).toEqual({
      outcome: 'not-sellable',
      problems: [
        { field: 'items[1].sku', message: 'NOPE is not in the catalogue' },
        { field: 'items[2].sku', message: 'GONE is not in the catalogue' },
      ],
    });
  });

  it('keeps one currency per order, naming the line in another', () => {
    const pricing = priceOrder(
      {
        items: [
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'SKU-US', quantity: 1 },
        ],
        shipping: 'standard',
      },
      catalogue,
    );
    expect(pricing.outcome).toBe('not-sellable');
    expect(pricing).toMatchObject({
      problems: [{ field: 'items[1].sku', message: expect.stringContaining('USD') }],
    });
  });

  it('refuses expedited shipping where the catalogue offers none for the currency', () => {
    expect(
      priceOrder({ items: [{ sku: 'SKU-US', quantity: 1 }], shipping: 'expedited' }, catalogue),
    ).toEqual({
      outcome: 'not-sellable',
      problems: [
        { field: 'shipping', message: 'expedited shipping is not offered for orders in USD' },
      ],
    });
  });
});
