/**
 * Orders priced by the catalogue, end to end on the real platform: the gateway, the worker and
 * the simulators (whose catalogue sets the prices) on the suite's stack. A customer cannot set
 * a price or buy the priority lane for free, sees a changed price before paying it, and an
 * order the catalogue cannot price is never admitted. The payment ledger is the proof: it
 * shows what was really authorized.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { PRIORITY, workflowIdForOrder } from '@order-platform/domain';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  findFreePort,
  gatewayCall,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
/** The seeded price of expedited shipping in EUR (apps/simulators' default catalogue). */
const EXPEDITED_EUR = 900;

describe('orders priced by the catalogue, on the real platform', () => {
  const apps = new AppsUnderTest('order-pricing');
  let gateway: string;
  let withoutCatalogue: string;
  let simulators: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;

  beforeAll(async () => {
    simulators = await apps.downstream();
    gateway = await apps.start('gateway', 'gateway');
    // Nothing listens there: the catalogue is down for this gateway.
    withoutCatalogue = await apps.start('gateway', 'gateway-without-catalogue', {
      CATALOGUE_URL: `http://127.0.0.1:${await findFreePort()}`,
    });
    await calmDownstream(simulators);
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  /** A sku of this test's own, in stock and priced: other suites share the catalogue. */
  async function product(priceMinor: number, currency = 'EUR'): Promise<string> {
    const sku = `SKU-PR-${randomUUID().slice(0, 8)}`;
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, { priceMinor, currency });
    return sku;
  }

  const post = async (
    path: string,
    customer: string,
    body: unknown,
    options: { key?: string; baseUrl?: string } = {},
  ) =>
    gatewayCall(options.baseUrl ?? gateway, 'POST', path, {
      token: await tokenFor('customer', customer),
      body,
      headers: { 'idempotency-key': options.key ?? randomUUID() },
    });

  async function readyToShip(customer: string, orderId: string) {
    const token = await tokenFor('customer', customer);
    return eventually(`order ${orderId} to be READY_TO_SHIP`, async () => {
      const response = await fetch(`${gateway}/v1/orders/${orderId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { status: string };
      return body.status === 'READY_TO_SHIP' ? body : undefined;
    });
  }

  const ledger = (orderId: string) =>
    simulatorCall<{ kind: string; amountMinor: number; currency: string }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );

  async function ordersOf(customer: string): Promise<unknown[]> {
    const response = await fetch(`${gateway}/v1/orders`, {
      headers: { authorization: `Bearer ${await tokenFor('customer', customer)}` },
    });
    return ((await response.json()) as { orders: unknown[] }).orders;
  }

  async function submissionsOf(customer: string): Promise<number> {
    const db = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM order_submission WHERE customer_id = $1',
        [customer],
      );
      return rows[0].n as number;
    } finally {
      await db.end();
    }
  }

  const customerId = () => `c-${randomUUID().slice(0, 8)}`;

  it('refuses a price sent by the client, and authorizes the catalogue price of an order placed without one', async () => {
    const customer = customerId();
    const sku = await product(4_200);

    const tampered = await post('/v1/orders', customer, {
      items: [{ sku, quantity: 2, unitPrice: 1 }],
      currency: 'EUR',
      shippingAddress: ADDRESS,
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body.errors).toEqual([
      { field: 'items[0].unitPrice', message: expect.stringContaining('catalogue') },
    ]);
    expect(await submissionsOf(customer)).toBe(0);

    const placed = await post('/v1/orders', customer, {
      items: [{ sku, quantity: 2 }],
      shippingAddress: ADDRESS,
    });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    expect(await readyToShip(customer, orderId)).toMatchObject({
      items: [{ sku, quantity: 2, unitPrice: 4_200 }],
      shipping: 'standard',
      shippingPrice: 0,
      total: 8_400,
      currency: 'EUR',
    });
    expect(await ledger(orderId)).toEqual([
      expect.objectContaining({ kind: 'authorization', amountMinor: 8_400, currency: 'EUR' }),
    ]);
  });

  it('asks the customer to confirm a price that changed after the quote, then places the order at the new total', async () => {
    const customer = customerId();
    const sku = await product(1_000);
    const basket = { items: [{ sku, quantity: 3 }] };

    const quote = await post('/v1/quotes', customer, basket);
    expect(quote.status).toBe(200);
    expect(quote.body).toEqual({
      items: [{ sku, quantity: 3, unitPrice: 1_000 }],
      shipping: 'standard',
      shippingPrice: 0,
      total: 3_000,
      currency: 'EUR',
    });

    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1_100,
      currency: 'EUR',
    });
    const key = randomUUID();
    const stale = await post(
      '/v1/orders',
      customer,
      { ...basket, expectedTotalMinor: quote.body.total, shippingAddress: ADDRESS },
      { key },
    );
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({
      type: 'urn:order-platform:problem:price-changed',
      status: 409,
      quote: { items: [{ sku, quantity: 3, unitPrice: 1_100 }], total: 3_300, currency: 'EUR' },
    });
    expect(await submissionsOf(customer)).toBe(0);

    // The customer confirms the new total; the same key is free, as nothing was placed.
    const confirmed = await post(
      '/v1/orders',
      customer,
      { ...basket, expectedTotalMinor: stale.body.quote.total, shippingAddress: ADDRESS },
      { key },
    );
    expect(confirmed.status).toBe(202);
    await readyToShip(customer, confirmed.body.orderId);
    expect(await ledger(confirmed.body.orderId)).toEqual([
      expect.objectContaining({ kind: 'authorization', amountMinor: 3_300 }),
    ]);
  });

  it('answers a replayed order with the order it placed, at its prices, after the catalogue changed', async () => {
    const customer = customerId();
    const sku = await product(1_000);
    const body = {
      items: [{ sku, quantity: 2 }],
      expectedTotalMinor: 2_000,
      shippingAddress: ADDRESS,
    };
    const key = randomUUID();
    const placed = await post('/v1/orders', customer, body, { key });
    expect(placed.status).toBe(202);

    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1_500,
      currency: 'EUR',
    });
    // A client retrying after a lost answer: the same key and body, not a new order at 30.00.
    const replayed = await post('/v1/orders', customer, body, { key });
    expect(replayed.status).toBe(202);
    expect(replayed.body.orderId).toBe(placed.body.orderId);
    await readyToShip(customer, placed.body.orderId);
    expect(await ledger(placed.body.orderId)).toEqual([
      expect.objectContaining({ kind: 'authorization', amountMinor: 2_000 }),
    ]);
    expect(await submissionsOf(customer)).toBe(1);
  });

  it('names the line the catalogue does not sell, and keeps one currency per order', async () => {
    const customer = customerId();
    const euros = await product(500);
    const dollars = await product(500, 'USD');

    const unknown = await post('/v1/orders', customer, {
      items: [
        { sku: euros, quantity: 1 },
        { sku: euros, quantity: 2 },
        { sku: `SKU-NOWHERE-${randomUUID().slice(0, 8)}`, quantity: 1 },
      ],
      shippingAddress: ADDRESS,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      type: 'urn:order-platform:problem:invalid-request',
      errors: [{ field: 'items[2].sku', message: expect.stringContaining('not in the catalogue') }],
    });

    const mixed = await post('/v1/orders', customer, {
      items: [
        { sku: euros, quantity: 1 },
        { sku: dollars, quantity: 1 },
      ],
      shippingAddress: ADDRESS,
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors).toEqual([
      { field: 'items[1].sku', message: expect.stringContaining('one currency per order') },
    ]);
    expect(await submissionsOf(customer)).toBe(0);
  });

  it('puts an order in the priority lane only when it pays for expedited shipping', async () => {
    const customer = customerId();
    const sku = await product(2_000);

    const flagged = await post('/v1/orders', customer, {
      items: [{ sku, quantity: 1 }],
      expedited: true,
      shippingAddress: ADDRESS,
    });
    expect(flagged.status).toBe(400);
    expect(flagged.body.errors).toEqual([
      { field: 'expedited', message: expect.stringContaining('"shipping": "expedited"') },
    ]);
    // Expecting to pay only for the goods is a changed price, not a free upgrade.
    const unpaid = await post('/v1/orders', customer, {
      items: [{ sku, quantity: 1 }],
      shipping: 'expedited',
      expectedTotalMinor: 2_000,
      shippingAddress: ADDRESS,
    });
    expect(unpaid.status).toBe(409);
    expect(unpaid.body.quote).toMatchObject({
      shipping: 'expedited',
      shippingPrice: EXPEDITED_EUR,
      total: 2_000 + EXPEDITED_EUR,
    });

    const expedited = await post('/v1/orders', customer, {
      items: [{ sku, quantity: 1 }],
      shipping: 'expedited',
      expectedTotalMinor: 2_000 + EXPEDITED_EUR,
      shippingAddress: ADDRESS,
    });
    const standard = await post('/v1/orders', customer, {
      items: [{ sku, quantity: 1 }],
      shippingAddress: ADDRESS,
    });
    expect([expedited.status, standard.status]).toEqual([202, 202]);
    expect(await readyToShip(customer, expedited.body.orderId)).toMatchObject({
      shipping: 'expedited',
      shippingPrice: EXPEDITED_EUR,
      total: 2_000 + EXPEDITED_EUR,
    });
    expect(await ledger(expedited.body.orderId)).toEqual([
      expect.objectContaining({ kind: 'authorization', amountMinor: 2_000 + EXPEDITED_EUR }),
    ]);
    const priorityOf = async (orderId: string) =>
      (await temporal.workflow.getHandle(workflowIdForOrder(orderId)).describe()).raw
        .workflowExecutionInfo?.priority?.priorityKey;
    expect(await priorityOf(expedited.body.orderId)).toBe(PRIORITY.expedited);
    expect(await priorityOf(standard.body.orderId)).toBe(PRIORITY.standard);
  });

  it('admits nothing while the catalogue is down, and says when to retry', async () => {
    const customer = customerId();
    const sku = await product(700);
    const basket = { items: [{ sku, quantity: 1 }] };

    const placed = await post(
      '/v1/orders',
      customer,
      { ...basket, shippingAddress: ADDRESS },
      { baseUrl: withoutCatalogue },
    );
    expect(placed.status).toBe(503);
    expect(placed.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(placed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const quote = await post('/v1/quotes', customer, basket, { baseUrl: withoutCatalogue });
    expect(quote.status).toBe(503);

    expect(await submissionsOf(customer)).toBe(0);
    expect(await ordersOf(customer)).toEqual([]);
    expect((await temporal.workflow.count(`CustomerId = "${customer}"`)).count).toBe(0);
  });
});
