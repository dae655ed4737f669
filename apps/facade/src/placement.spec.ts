import { monolithShapedAnswer, readPlacement, toPlatformOrder } from './placement';

const address = {
  name: 'Ada',
  line1: '1 Main St',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
const read = (body: unknown) =>
  readPlacement(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

describe('an order placement at the monolith’s door', () => {
  it('names what makes a body no order placement, before any side sees it', () => {
    expect(read('{"customerId":')).toMatchObject({
      ok: false,
      problem: { status: 400, detail: 'The body is not JSON' },
    });
    expect(read([1, 2])).toMatchObject({ ok: false, problem: { status: 400 } });
    expect(read({ items: [{ sku: 'SKU-1', quantity: 1 }] })).toMatchObject({
      ok: false,
      problem: {
        status: 400,
        field: 'customerId',
        type: 'urn:order-platform:problem:invalid-request',
      },
    });
    expect(read({ customerId: 'c-1', items: [] })).toMatchObject({
      ok: false,
      problem: { field: 'items' },
    });
    expect(read({ customerId: 'c-1', items: [{ sku: 'SKU-1', quantity: 1 }] })).toMatchObject({
      ok: true,
      customerId: 'c-1',
    });
  });

  it('becomes the platform’s order: lines, shipping option, currency, address and an idempotency key', () => {
    const order = {
      orderId: 'L-42',
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 2 }],
      currency: 'EUR',
      expedited: true,
      shippingAddress: address,
      note: 'the monolith ignores what it does not know, and so does the translation',
    };
    expect(toPlatformOrder({ customerId: 'c-1', order }, undefined)).toEqual({
      ok: true,
      order: {
        customerId: 'c-1',
        idempotencyKey: 'monolith-order:L-42',
        body: {
          items: order.items,
          shipping: 'expedited',
          currency: 'EUR',
          shippingAddress: address,
        },
      },
    });
    // The caller's own key wins; without key or orderId each placement is a new order.
    const bare = { customerId: 'c-1', items: order.items, shippingAddress: address };
    const keyed = toPlatformOrder({ customerId: 'c-1', order: bare }, 'k-1');
    expect(keyed.ok && keyed.order.idempotencyKey).toBe('k-1');
    const keys = [1, 2].map(() => {
      const translated = toPlatformOrder({ customerId: 'c-1', order: bare }, undefined);
      return translated.ok ? translated.order.idempotencyKey : undefined;
    });
    expect(new Set(keys).size).toBe(2);
    const odd = toPlatformOrder(
      { customerId: 'c-1', order: { ...bare, orderId: 'order #7 / ü' } },
      undefined,
    );
    expect(odd.ok && odd.order.idempotencyKey).toMatch(/^monolith-order:[0-9a-f]{64}$/);
  });

  it('keeps on the monolith what the platform cannot take as it is, saying why', () => {
    const items = [{ sku: 'SKU-1', quantity: 1 }];
    expect(
      toPlatformOrder({ customerId: 'c-1', order: { customerId: 'c-1', items } }, undefined),
    ).toEqual({
      ok: false,
      keepOnMonolith: 'no-shipping-address',
    });
    expect(
      toPlatformOrder(
        { customerId: 'Ada Lovelace', order: { items, shippingAddress: address } },
        undefined,
      ),
    ).toEqual({ ok: false, keepOnMonolith: 'customer-id-not-a-platform-subject' });
  });

  it('answers an accepted order in the monolith’s terms and passes problems on as they are', () => {
    const links = { self: '/v1/orders/o-1' };
    expect(
      monolithShapedAnswer({ status: 202, body: { orderId: 'o-1', status: 'RECEIVED', links } }),
    ).toEqual({
      status: 201,
      body: { orderId: 'o-1', status: 'RECEIVED', placedOn: 'platform', links },
    });
    const priceChanged = {
      status: 409,
      body: { type: 'urn:order-platform:problem:price-changed' },
    };
    expect(monolithShapedAnswer(priceChanged)).toBe(priceChanged);
  });
});
