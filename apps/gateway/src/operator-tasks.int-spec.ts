/**
 * Fail closed on compensations, on the real platform: a cancelled order whose authorization the
 * payment gateway refuses to void (422) is not retried into the ground. The order ends
 * CANCELLED with its stock back, and an operator task says what is left: an operator lists it
 * through the API, closes it once with an outcome that fits it (audited), and customers never
 * see the queue.
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

describe('operator tasks for compensations refused for good', () => {
  const apps = new AppsUnderTest('operator-tasks');
  const sku = `SKU-OT-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let simulators: string;
  let platformDb: PgClient;

  beforeAll(async () => {
    simulators = await apps.downstream();
    gateway = await apps.start('gateway');
    await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
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
    if (simulators) await simulatorCall(simulators, 'PUT', '/payments/settings', {});
    await platformDb?.end();
    await apps.stopAll();
  }, 60_000);

  const api = (method: string, path: string, token: string, body?: unknown) =>
    gatewayCall(gateway, method, path, {
      token,
      body,
      headers: { 'idempotency-key': randomUUID() },
    });

  it('opens a task for a void the payment gateway refused, which an operator closes once, audited', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const placed = await api('POST', '/v1/orders', token, {
      items: [{ sku, quantity: 2 }],
      shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
    });
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;
    await eventually(
      'the order to be ready to ship',
      async () => {
        const { body } = await api('GET', `/v1/orders/${orderId}`, token);
        return body.status === 'READY_TO_SHIP' ? body : undefined;
      },
      { timeoutMs: 60_000 },
    );

    await simulatorCall(simulators, 'PUT', '/payments/settings', { refuseVoids: true });
    const cancelled = await api('POST', `/v1/orders/${orderId}/cancel`, token);
    expect([200, 202]).toContain(cancelled.status);

    const operator = await tokenFor('operator', 'ops-tasks');
    const task = await eventually(
      'the compensation task to open',
      async () => {
        const { body } = await api('GET', '/v1/ops/tasks?kind=compensation-failed', operator);
        return body.tasks.find((t: { orderId: string }) => t.orderId === orderId);
      },
      { timeoutMs: 60_000 },
    );
    expect(task).toMatchObject({
      orderId,
      kind: 'compensation-failed',
      subject: 'void-authorization',
      customerId: customer,
      status: 'open',
      outcome: null,
    });
    expect(task.reason).toContain('422');
    // Asked once, not retried: no void in the ledger, and the stock is back.
    const ledger = await simulatorCall<{ kind: string }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );
    expect(ledger.map((entry) => entry.kind)).toEqual(['authorization']);
    const status = await eventually(
      'the order to read CANCELLED',
      async () => {
        const { body } = await api('GET', `/v1/orders/${orderId}`, token);
        return body.status === 'CANCELLED' ? body : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(status.status).toBe('CANCELLED');
    const { rows: flagged } = await platformDb.query(
      'SELECT needs_attention FROM order_status WHERE order_id = $1',
      [orderId],
    );
    expect(flagged).toEqual([{ needs_attention: 'CompensationFailed:void-authorization' }]);

    // Customers never see the queue; a task is closed only with an outcome of its kind.
    expect((await api('GET', '/v1/ops/tasks', token)).status).toBe(403);
    const close = (body: unknown) =>
      api(
        'POST',
        `/v1/ops/tasks/${orderId}/compensation-failed/void-authorization/close`,
        operator,
        body,
      );
    const wrongKind = await close({ outcome: 'no-concern', note: 'looked' });
    expect(wrongKind.status).toBe(400);
    const decision = { outcome: 'settled-by-hand', note: 'voided in the gateway console' };
    const closed = await close(decision);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ ...decision, status: 'closed', closedBy: 'ops-tasks' });
    const again = await close(decision);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:order-platform:problem:task-not-open');
    const unknown = await api(
      'POST',
      `/v1/ops/tasks/${orderId}/compensation-failed/release-inventory/close`,
      operator,
      decision,
    );
    expect(unknown.status).toBe(404);

    const { rows } = await platformDb.query(
      `SELECT operator_id, details FROM operator_audit
       WHERE action = 'compensation-failed-close' AND subject = $1`,
      [orderId],
    );
    expect(rows).toEqual([
      {
        operator_id: 'ops-tasks',
        details: expect.objectContaining({ ...decision, about: 'void-authorization' }),
      },
    ]);
    const open = await api('GET', '/v1/ops/tasks?status=open', operator);
    expect(open.body.tasks.map((t: { orderId: string }) => t.orderId)).not.toContain(orderId);
  });
});
