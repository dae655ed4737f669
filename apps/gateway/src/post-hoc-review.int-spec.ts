/**
 * Fail closed on fraud: an order approved without a screening (the fraud provider answered
 * later than the fraud SLA, so the policy approved it with a flag) opens a post-hoc review task
 * on the real platform; an operator sees it and closes it once, audited, and customers never see
 * the queue.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import {
  AppsUnderTest,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteEnv,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

describe('post-hoc review of approvals made without a screening', () => {
  const apps = new AppsUnderTest('post-hoc-review');
  const sku = `SKU-PH-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let simulators: string;
  let platformDb: PgClient;

  beforeAll(async () => {
    // Standard orders wait 2 s for the fraud provider; it answers after 8 s.
    simulators = await apps.downstream({
      STAGE_POLICY_OVERRIDES: JSON.stringify({ standard: { fraudSlaMs: '2s' } }),
    });
    gateway = await apps.start('gateway');
    await simulatorCall(simulators, 'PUT', '/fraud/settings', { latencyMs: 8000 });
    await simulatorCall(simulators, 'PUT', '/payments/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
  }, 240_000);

  afterAll(async () => {
    if (simulators) await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    await platformDb?.end();
    await apps.stopAll();
  }, 60_000);

  /** An API call as its client makes it: each with an idempotency key of its own. */
  const api = (method: string, path: string, token: string, body?: unknown) =>
    gatewayCall(gateway, method, path, {
      token,
      body,
      headers: { 'idempotency-key': randomUUID() },
    });

  it('opens a task an operator sees and closes once, audited', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const placed = await api('POST', '/v1/orders', token, {
      items: [{ sku, quantity: 1 }],
      shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
    });
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;

    const operator = await tokenFor('operator', 'ops-post-hoc');
    const task = await eventually(
      'the review task to open',
      async () => {
        const { body } = await api('GET', '/v1/ops/post-hoc-reviews?status=open', operator);
        return body.reviews.find((review: { orderId: string }) => review.orderId === orderId);
      },
      { timeoutMs: 60_000 },
    );
    expect(task).toMatchObject({
      orderId,
      customerId: customer,
      flag: 'FraudSlaExpired',
      status: 'open',
      outcome: null,
    });
    expect((await api('GET', '/v1/ops/post-hoc-reviews', token)).status).toBe(403);

    const decision = {
      outcome: 'no-concern',
      note: 'screened by hand once the provider caught up',
    };
    const closed = await api(
      'POST',
      `/v1/ops/post-hoc-reviews/${orderId}/close`,
      operator,
      decision,
    );
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ ...decision, status: 'closed', closedBy: 'ops-post-hoc' });
    const again = await api(
      'POST',
      `/v1/ops/post-hoc-reviews/${orderId}/close`,
      operator,
      decision,
    );
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:order-platform:problem:review-not-open');
    const unknown = await api(
      'POST',
      '/v1/ops/post-hoc-reviews/no-such-order/close',
      operator,
      decision,
    );
    expect(unknown.status).toBe(404);

    const { rows } = await platformDb.query(
      `SELECT operator_id FROM operator_audit WHERE action = 'post-hoc-review-close' AND subject = $1`,
      [orderId],
    );
    expect(rows).toEqual([{ operator_id: 'ops-post-hoc' }]);
    const open = await api('GET', '/v1/ops/post-hoc-reviews?status=open', operator);
    expect(open.body.reviews.map((r: { orderId: string }) => r.orderId)).not.toContain(orderId);
  });
});
