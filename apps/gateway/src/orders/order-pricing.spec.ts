import type { CatalogueAnswer } from '@order-platform/domain';
import { type CataloguePort, CatalogueUnavailableError } from '../catalogue/catalogue.port';
import { Problem } from '../http/problem';
import { OrderPricing, refuseClientPricing } from './order-pricing';

const ANSWER: CatalogueAnswer = {
  products: new Map([['SKU-1', { priceMinor: 1_250, currency: 'EUR' }]]),
  shipping: [{ option: 'expedited', priceMinor: 900, currency: 'EUR' }],
};
const catalogue = (lookUp: CataloguePort['lookUp']): OrderPricing => new OrderPricing({ lookUp });
const answering = catalogue(async () => ANSWER);

async function problemOf(work: Promise<unknown>): Promise<Problem> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Problem);
  return error as Problem;
}

describe('pricing an order at the door', () => {
  it('refuses every price and the old expedited flag a client sends, naming each field', () => {
    expect(() =>
      refuseClientPricing({
        items: [
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'SKU-1', quantity: 1, unitPrice: 1 },
        ],
        expedited: true,
      }),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [
          { field: 'items[1].unitPrice', message: expect.stringContaining('catalogue') },
          { field: 'expedited', message: expect.stringContaining('"shipping": "expedited"') },
        ],
      }),
    );
    expect(() => refuseClientPricing({ items: [{ sku: 'SKU-1', quantity: 1 }] })).not.toThrow();
    expect(() => refuseClientPricing({ items: [null, 'x'] })).not.toThrow();
  });

  it('answers a changed total with 409 price-changed and the current quote', async () => {
    const problem = await problemOf(
      answering.price({ items: [{ sku: 'SKU-1', quantity: 2 }], expectedTotalMinor: 2_000 }),
    );
    expect(problem.document()).toMatchObject({
      type: 'urn:order-platform:problem:price-changed',
      status: 409,
      quote: {
        items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 1_250 }],
        shipping: 'standard',
        shippingPrice: 0,
        total: 2_500,
        currency: 'EUR',
      },
    });
  });

  it('asks the catalogue for shipping prices only when a paid option is chosen', async () => {
    const asked: boolean[] = [];
    const pricing = catalogue(async (_skus, { withShipping }) => {
      asked.push(withShipping);
      return ANSWER;
    });
    await pricing.price({ items: [{ sku: 'SKU-1', quantity: 1 }] });
    const expedited = await pricing.price({
      items: [{ sku: 'SKU-1', quantity: 1 }],
      shipping: 'expedited',
    });
    expect(asked).toEqual([false, true]);
    expect(expedited).toMatchObject({ shippingMinor: 900, totalMinor: 2_150 });
  });

  it('answers 503 with Retry-After while the catalogue cannot answer', async () => {
    const down = catalogue(async () => {
      throw new CatalogueUnavailableError('connection refused');
    });
    const problem = await problemOf(down.price({ items: [{ sku: 'SKU-1', quantity: 1 }] }));
    expect(problem.status).toBe(503);
    expect(Number(problem.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
