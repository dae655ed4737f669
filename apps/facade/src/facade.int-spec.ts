/**
 * The strangler facade on the real stack: the sample monolith, the platform (gateway, worker,
 * simulators, the legacy adapter mirroring the monolith) and the facade in front of the
 * monolith's door. Intake's share is set through the gateway's routing API as an operator sets
 * it; each placement is followed to the side that took it, and read back through the gateway.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { intakeSideFor } from '@order-platform/domain';
import { mintToken, stackTokenKeys } from '@order-platform/runtime';
import {
  AppsUnderTest,
  dropReplicationSlot,
  eventually,
  findFreePort,
  gatewayCall,
  type GatewayReply,
  simulatorCall,
  suiteEnv,
} from '@order-platform/tools';

const PROBLEM_JSON = 'application/problem+json';
const ADDRESS = {
  name: 'Ada',
  line1: '1 Main St',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
/** How long the facades under test keep a read of intake's route. */
const ROUTE_CACHE_MS = 100;

const tokenFor = (role: 'customer' | 'operator', subject: string) =>
  mintToken(
    { subject, roles: [role], segment: role === 'customer' ? 'standard' : undefined },
    stackTokenKeys(process.env, suiteEnv('GATEWAY_JWT_SECRET')),
  );

describe("the strangler facade at the monolith's door", () => {
  const apps = new AppsUnderTest('facade');
  const run = randomUUID().slice(0, 8);
  const slot = `facade_test_${run}`;
  let monolith: string;
  let gateway: string;
  let facade: string;
  /** Facades whose monolith, platform or routes store is down (nothing listens at its address). */
  let facadeWithoutMonolith: string;
  let facadeWithoutPlatform: string;
  let facadeWithoutStore: string;
  let platformDb: PgClient;
  let legacyDb: PgClient;
  let customerNo = 0;
  const newCustomer = () => `c-${run}-${++customerNo}`;

  beforeAll(async () => {
    monolith = await apps.start('legacy-monolith');
    const simulators = await apps.downstream({ MONOLITH_URL: monolith });
    await apps.start('legacy-adapter', 'legacy-adapter', {
      MIRROR_SOURCE: 'cdc',
      MIRROR_SLOT: slot,
      MIRROR_PUBLICATION: slot,
    });
    gateway = await apps.start('gateway');
    const facadeEnv = { GATEWAY_URL: gateway, FACADE_ROUTE_CACHE_MS: String(ROUTE_CACHE_MS) };
    facade = await apps.start('facade', 'facade', { ...facadeEnv, MONOLITH_URL: monolith });
    facadeWithoutMonolith = await apps.start('facade', 'facade-without-monolith', {
      ...facadeEnv,
      MONOLITH_URL: `http://127.0.0.1:${await findFreePort()}`,
    });
    facadeWithoutPlatform = await apps.start('facade', 'facade-without-platform', {
      ...facadeEnv,
      MONOLITH_URL: monolith,
      GATEWAY_URL: `http://127.0.0.1:${await findFreePort()}`,
    });
    // Never ready (its readiness is the routes store's): started once it is live.
    facadeWithoutStore = await apps.start(
      'facade',
      'facade-without-store',
      {
        ...facadeEnv,
        MONOLITH_URL: monolith,
        DATABASE_URL: `postgres://order_platform:order_platform@127.0.0.1:${await findFreePort()}/order_platform`,
      },
      'live',
    );
    await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    await simulatorCall(simulators, 'PUT', '/warehouse/stock/SKU-1', { onHand: 100_000 });
    await fetch(`${monolith}/stock/SKU-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ onHand: 100_000 }),
    });
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    legacyDb = new PgClient({ connectionString: suiteEnv('LEGACY_DATABASE_URL') });
    await legacyDb.connect();
    await platformDb.query(`DELETE FROM stage_route WHERE stage = 'intake'`);
  }, 300_000);

  afterAll(async () => {
    await platformDb?.query(`DELETE FROM stage_route WHERE stage = 'intake'`);
    await apps.stopAll();
    await dropReplicationSlot(slot).catch(() => undefined);
    await platformDb?.end();
    await legacyDb?.end();
  }, 60_000);

  const operator = `ops-${run}`;
  const routeIntake = async (body: Record<string, unknown>): Promise<GatewayReply> =>
    gatewayCall(gateway, 'PUT', '/v1/ops/routing/intake', {
      token: await tokenFor('operator', operator),
      body,
    });

  /** Sets intake's share (with an override: this suite has no comparisons to show) and waits out the facades' cache. */
  async function intakeAt(newPercent: number): Promise<void> {
    const reply = await routeIntake(
      newPercent === 0
        ? { mode: 'legacy', reason: 'all to the monolith' }
        : { mode: 'new', newPercent, reason: 'ramp', overrideReason: 'facade suite' },
    );
    expect(reply.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, ROUTE_CACHE_MS * 3));
  }

  const place = (customerId: string, extra: Record<string, unknown> = {}, at = facade) =>
    gatewayCall(at, 'POST', '/orders', {
      body: {
        customerId,
        items: [{ sku: 'SKU-1', quantity: 1 }],
        shippingAddress: ADDRESS,
        ...extra,
      },
    });

  async function readThroughGateway(customerId: string, orderId: string) {
    const token = await tokenFor('customer', customerId);
    return eventually(
      `${orderId} through the gateway`,
      async () => {
        const reply = await gatewayCall(gateway, 'GET', `/v1/orders/${orderId}`, { token });
        return reply.status === 200 ? reply.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }

  const monolithOrders = async (customerId: string) =>
    Number(
      (
        await legacyDb.query('SELECT count(*) FROM monolith.orders WHERE customer_id = $1', [
          customerId,
        ])
      ).rows[0].count,
    );
  const platformSubmissions = async (customerId: string) =>
    Number(
      (
        await platformDb.query('SELECT count(*) FROM order_submission WHERE customer_id = $1', [
          customerId,
        ])
      ).rows[0].count,
    );

  it("sets intake's share through the audited, guarded routing API: no shadow, evidence or a reason to go up, never refused going down", async () => {
    const shadow = await routeIntake({ mode: 'shadow', reason: 'compare at the door' });
    expect(shadow.status).toBe(409);
    expect(shadow.body.detail).toContain('intake has no shadow mode');

    // The default bar (99.9 % over 1,000 comparisons per stage) is not met on this stack.
    const unproven = await routeIntake({ mode: 'new', newPercent: 10, reason: 'first customers' });
    expect(unproven.status).toBe(409);
    expect(unproven.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(unproven.body).toMatchObject({
      type: 'urn:order-platform:problem:promotion-refused',
      detail: expect.stringContaining('not clear the promotion bar'),
    });

    const overridden = await routeIntake({
      mode: 'new',
      newPercent: 10,
      reason: 'first customers',
      overrideReason: 'pilot with our own staff accounts',
    });
    expect(overridden.status).toBe(200);
    expect(overridden.body).toMatchObject({ stage: 'intake', mode: 'new', newPercent: 10 });
    const audit = await platformDb.query(
      `SELECT operator_id, details FROM operator_audit WHERE id = $1`,
      [overridden.body.auditId],
    );
    expect(audit.rows[0]).toMatchObject({
      operator_id: operator,
      details: {
        from: { mode: 'legacy' },
        to: { mode: 'new', newPercent: 10 },
        guard: 'overridden',
        overrideReason: 'pilot with our own staff accounts',
      },
    });
    const routing = await gatewayCall(gateway, 'GET', '/v1/ops/routing', {
      token: await tokenFor('operator', operator),
    });
    expect(routing.body.routes).toContainEqual(
      expect.objectContaining({
        stage: 'intake',
        mode: 'new',
        newPercent: 10,
        updatedBy: operator,
      }),
    );

    expect((await routeIntake({ mode: 'new', newPercent: 5, reason: 'fewer' })).status).toBe(200);
    expect((await routeIntake({ mode: 'legacy', reason: 'roll back' })).status).toBe(200);
  });

  it('at 0 % sends every placement to the monolith, and its customers read it through the gateway', async () => {
    await intakeAt(0);
    const placed = [];
    for (let i = 0; i < 5; i++) {
      const customer = newCustomer();
      const reply = await place(customer);
      expect(reply.status).toBe(201);
      expect(reply.headers.get('x-order-placed-on')).toBe('monolith');
      expect(reply.body).toMatchObject({ orderId: expect.stringMatching(/^L-/) });
      placed.push({ customer, orderId: reply.body.orderId as string });
    }
    for (const { customer } of placed) {
      expect(await monolithOrders(customer)).toBe(1);
      expect(await platformSubmissions(customer)).toBe(0);
    }
    // Everything else at the door is the monolith's, unchanged: its order, read through the facade.
    const first = placed[0]!;
    const direct = await gatewayCall(monolith, 'GET', `/orders/${first.orderId}`);
    const proxied = await gatewayCall(facade, 'GET', `/orders/${first.orderId}`);
    expect(proxied.status).toBe(200);
    expect(proxied.body).toEqual(direct.body);
    expect(await readThroughGateway(first.customer, first.orderId)).toMatchObject({
      orderId: first.orderId,
    });
  });

  it('at 100 % sends every placement to the platform in its own shape, idempotent by the monolith order id', async () => {
    await intakeAt(100);
    for (let i = 0; i < 5; i++) {
      const customer = newCustomer();
      const orderId = `L-${run}-${i}`;
      const reply = await place(customer, { orderId, expedited: i === 0 });
      expect(reply.status).toBe(201);
      expect(reply.headers.get('x-order-placed-on')).toBe('platform');
      expect(reply.body).toMatchObject({ status: 'RECEIVED', placedOn: 'platform' });
      const platformOrderId = reply.body.orderId as string;
      expect(await monolithOrders(customer)).toBe(0);
      expect(await platformSubmissions(customer)).toBe(1);
      // The same placement again is the same order, as the monolith's orderId promised.
      const again = await place(customer, { orderId, expedited: i === 0 });
      expect(again.body.orderId).toBe(platformOrderId);
      expect(await platformSubmissions(customer)).toBe(1);
      if (i === 0) {
        const view = await readThroughGateway(customer, platformOrderId);
        expect(view).toMatchObject({ orderId: platformOrderId });
        // Not the monolith's order: it never saw it.
        expect((await gatewayCall(facade, 'GET', `/orders/${platformOrderId}`)).status).toBe(404);
      }
    }
    // What the platform cannot take as it is (no address to ship to) stays on the monolith.
    const customer = newCustomer();
    const bare = await gatewayCall(facade, 'POST', '/orders', {
      body: { customerId: customer, items: [{ sku: 'SKU-1', quantity: 1 }] },
    });
    expect(bare.status).toBe(201);
    expect(bare.headers.get('x-order-placed-on')).toBe('monolith');
    expect(bare.headers.get('x-facade-kept-on-monolith')).toBe('no-shipping-address');
    // The platform's own refusals come back as the platform's problems.
    const unknownSku = await place(newCustomer(), { items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] });
    expect(unknownSku.status).toBe(400);
    expect(unknownSku.headers.get('content-type')).toContain(PROBLEM_JSON);
  });

  it('at 50 % sends each customer the same way every time, by the hash of the customer id', async () => {
    await intakeAt(50);
    const customers = Array.from({ length: 16 }, newCustomer);
    const sides = new Map<string, string>();
    for (const round of [1, 2]) {
      for (const customer of customers) {
        const reply = await place(customer);
        expect(reply.status).toBe(201);
        const side = reply.headers.get('x-order-placed-on')!;
        if (round === 2) expect(side).toBe(sides.get(customer));
        sides.set(customer, side);
      }
    }
    for (const customer of customers) {
      const expected = intakeSideFor(customer, { mode: 'new', newPercent: 50 });
      expect(sides.get(customer)).toBe(expected);
      expect(await monolithOrders(customer)).toBe(expected === 'monolith' ? 2 : 0);
      expect(await platformSubmissions(customer)).toBe(expected === 'platform' ? 2 : 0);
    }
    expect(new Set(sides.values())).toEqual(new Set(['monolith', 'platform']));
  });

  it('answers a body too large or malformed with a clear 4xx, and neither side ever sees it', async () => {
    await intakeAt(50);
    const customers = Array.from({ length: 4 }, newCustomer);
    const [big, malformed, nameless, itemless] = customers as [string, string, string, string];
    const tooLarge = await place(big, { note: 'x'.repeat(100_000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ type: 'urn:order-platform:problem:payload-too-large' });
    const notJson = await gatewayCall(facade, 'POST', '/orders', {
      raw: `{"customerId":"${malformed}","items":[`,
    });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(notJson.body.detail).toBe('The body is not JSON');
    const noCustomer = await gatewayCall(facade, 'POST', '/orders', {
      body: { customer: nameless, items: [{ sku: 'SKU-1', quantity: 1 }] },
    });
    expect(noCustomer.status).toBe(400);
    expect(noCustomer.body.field).toBe('customerId');
    const noItems = await place(itemless, { items: 'SKU-1' });
    expect(noItems.status).toBe(400);
    expect(noItems.body.field).toBe('items');
    for (const customer of customers) {
      expect(await monolithOrders(customer)).toBe(0);
      expect(await platformSubmissions(customer)).toBe(0);
    }
  });

  it("answers 502 for the monolith's share only while the monolith is down", async () => {
    await intakeAt(50);
    const customers = Array.from({ length: 12 }, newCustomer);
    for (const customer of customers) {
      const reply = await place(customer, {}, facadeWithoutMonolith);
      if (intakeSideFor(customer, { mode: 'new', newPercent: 50 }) === 'platform') {
        expect(reply.status).toBe(201);
        expect(reply.body.placedOn).toBe('platform');
      } else {
        expect(reply.status).toBe(502);
        expect(reply.headers.get('content-type')).toContain(PROBLEM_JSON);
        expect(reply.body).toMatchObject({
          type: 'urn:order-platform:problem:upstream-unavailable',
          upstream: 'monolith',
        });
      }
    }
    const stock = await gatewayCall(facadeWithoutMonolith, 'GET', '/stock/SKU-1');
    expect(stock.status).toBe(502);
    // The facade itself is up; its readiness is its own (the routes store), not the monolith's.
    expect((await gatewayCall(facadeWithoutMonolith, 'GET', '/health/ready')).status).toBe(200);
  });

  it("answers 502 for the platform's share only while the platform is down", async () => {
    await intakeAt(50);
    for (const customer of Array.from({ length: 12 }, newCustomer)) {
      const reply = await place(customer, {}, facadeWithoutPlatform);
      if (intakeSideFor(customer, { mode: 'new', newPercent: 50 }) === 'monolith') {
        expect(reply.status).toBe(201);
        expect(reply.headers.get('x-order-placed-on')).toBe('monolith');
      } else {
        expect(reply.status).toBe(502);
        expect(reply.body).toMatchObject({
          type: 'urn:order-platform:problem:upstream-unavailable',
          upstream: 'platform',
        });
        expect(await monolithOrders(customer)).toBe(0);
      }
    }
  });

  it('sends everyone to the monolith when it has never been able to read the routes store', async () => {
    await intakeAt(100);
    const reply = await place(newCustomer(), {}, facadeWithoutStore);
    expect(reply.status).toBe(201);
    expect(reply.headers.get('x-order-placed-on')).toBe('monolith');
    const ready = await gatewayCall(facadeWithoutStore, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks['routes-store'].status).toBe('down');
  });
});
