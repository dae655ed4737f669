/**
 * Reconciliation on the real platform: orders placed through the gateway and run by the real
 * worker against the simulators; holds and charges then made behind the workflows' backs
 * directly at the simulated payment gateway and warehouse, as a crashed retry or a buggy
 * integration would. A scoped run started through the operator API must repair what is safe
 * (void, release), queue what is not (money taken twice) for an operator, and change nothing
 * when run again. It never repairs inside the minimum grace, whatever the request says: the
 * stray holds here are aged in the simulators' database, as holds left an hour ago would be.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import {
  loadPolicies,
  RECONCILIATION_GRACE_FLOOR_MS,
  reconciliationMinimumGrace,
  workflowIdForOrder,
} from '@order-platform/domain';
import { DOWNSTREAM_CALL_BUDGET_MS } from '@order-platform/workflows';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
} from '@order-platform/tools';
import { orderDeliveredSignal, shipmentDispatchedSignal } from '@order-platform/workflows';
import { tokenFor } from './testing/test-tokens';

describe('reconciliation against the payment ledger and the warehouse', () => {
  const apps = new AppsUnderTest('reconciliation');
  const sku = `SKU-REC-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let simulators: string;
  let platformDb: PgClient;
  let simulatorsDb: PgClient;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;

  beforeAll(async () => {
    // A short return window: a delivered order's run ends seconds after the delivery, as a
    // journey here awaits its result.
    simulators = await apps.downstream({
      STAGE_POLICY_OVERRIDES: JSON.stringify({ standard: { returnWindowMs: '2s' } }),
    });
    gateway = await apps.start('gateway');
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    simulatorsDb = new PgClient({ connectionString: suiteEnv('SIMULATORS_DATABASE_URL') });
    await simulatorsDb.connect();
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    await closeTemporal?.();
    await platformDb?.end();
    await simulatorsDb?.end();
    await apps.stopAll();
  }, 60_000);

  /** An API call as its client makes it: each with an idempotency key of its own. */
  const api = (method: string, path: string, token: string, body?: unknown) =>
    gatewayCall(gateway, method, path, {
      token,
      body,
      headers: { 'idempotency-key': randomUUID() },
    });

  /** A call to the simulated downstream behind the workflow's back. */
  async function behindTheBack<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${simulators}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async function orderReadyToShip(customer: string): Promise<string> {
    const token = await tokenFor('customer', customer);
    const placed = await api('POST', '/v1/orders', token, {
      items: [{ sku, quantity: 1 }],
      currency: 'EUR',
      shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
    });
    expect({ status: placed.status, body: placed.body }).toMatchObject({ status: 202 });
    const orderId = placed.body.orderId as string;
    await eventually(`${orderId} ready to ship`, async () => {
      const { body } = await api('GET', `/v1/orders/${orderId}`, token);
      return body.status === 'READY_TO_SHIP' ? body : undefined;
    });
    return orderId;
  }

  /** Moves a stray hold an hour into the past, beyond any grace reconciliation may use. */
  async function leftAnHourAgo(hold: { authorizationId?: string; reservationId?: string }) {
    if (hold.authorizationId) {
      await simulatorsDb.query(
        `UPDATE payment_ledger SET created_at = created_at - interval '1 hour' WHERE reference = $1`,
        [hold.authorizationId],
      );
    }
    if (hold.reservationId) {
      await simulatorsDb.query(
        `UPDATE warehouse_reservations SET created_at = created_at - interval '1 hour' WHERE id = $1`,
        [hold.reservationId],
      );
    }
  }

  async function reconcile(orderId: string) {
    const operator = await tokenFor('operator', 'ops-reconcile');
    const started = await api('POST', '/v1/ops/reconciliation/runs', operator, { orderId });
    expect(started.status).toBe(202);
    let last: unknown;
    return eventually('the run to complete', async () => {
      const { body } = await api('GET', started.body.links.self, operator);
      last = body;
      if (body.status === 'failed') throw new Error(`the run failed: ${JSON.stringify(last)}`);
      return body.status === 'completed' ? body.summary : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
    });
  }

  const ledgerOf = (orderId: string) =>
    simulatorCall<{ kind: string; reference: string }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );

  it('voids an orphan authorization and releases an orphan reservation, audited, and a re-run changes nothing', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const orderId = await orderReadyToShip(customer);
    const [own] = await ledgerOf(orderId);
    const orphan = await behindTheBack<{ authorizationId: string }>('/payments/authorizations', {
      orderId,
      customerId: customer,
      amountMinor: 1500,
      currency: 'EUR',
      validityMs: 3_600_000,
    });
    const stray = await behindTheBack<{ reservationId: string }>('/warehouse/reservations', {
      orderId,
      lines: [{ sku, quantity: 1 }],
      ttlMs: 3_600_000,
    });

    // Just made, the strays are inside the grace: an order may be about to record them.
    expect(await reconcile(orderId)).toMatchObject({ inspected: 1, repaired: 0, queued: 0 });
    await leftAnHourAgo(orphan);
    await leftAnHourAgo(stray);

    expect(await reconcile(orderId)).toMatchObject({ inspected: 1, repaired: 2, queued: 0 });
    const ledger = await ledgerOf(orderId);
    expect(ledger.filter((e) => e.kind === 'void').map((e) => e.reference)).toEqual([
      orphan.authorizationId,
    ]);
    expect(own!.kind).toBe('authorization');
    expect(ledger.some((e) => e.kind === 'void' && e.reference === own!.reference)).toBe(false);
    expect(
      await simulatorCall<{ state: string }>(
        simulators,
        'GET',
        `/warehouse/reservations/${stray.reservationId}`,
      ),
    ).toMatchObject({ state: 'released' });
    const audited = await platformDb.query(
      `SELECT action FROM operator_audit WHERE operator_id = 'reconciliation' AND subject = $1 ORDER BY id`,
      [orderId],
    );
    expect(audited.rows.map((r) => r.action)).toEqual([
      'void-authorization',
      'release-reservation',
    ]);

    // Idempotent: nothing left to repair, nothing repaired twice, the order untouched.
    expect(await reconcile(orderId)).toMatchObject({ inspected: 1, repaired: 0, queued: 0 });
    expect((await ledgerOf(orderId)).filter((e) => e.kind === 'void')).toHaveLength(1);
    const { body } = await api(
      'GET',
      `/v1/orders/${orderId}`,
      await tokenFor('customer', customer),
    );
    expect(body.status).toBe('READY_TO_SHIP');
  });

  it('queues money taken twice for an operator, who resolves it with a note', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const orderId = await orderReadyToShip(customer);
    const handle = temporal.workflow.getHandle(workflowIdForOrder(orderId));
    await handle.signal(shipmentDispatchedSignal, {});
    await handle.signal(orderDeliveredSignal);
    await handle.result();
    // A second charge, as a retried integration might make.
    const again = await behindTheBack<{ authorizationId: string }>('/payments/authorizations', {
      orderId,
      customerId: customer,
      amountMinor: 1500,
      currency: 'EUR',
      validityMs: 3_600_000,
    });
    await behindTheBack(`/payments/authorizations/${again.authorizationId}/capture`, {
      amountMinor: 1500,
    });

    expect(await reconcile(orderId)).toMatchObject({ queued: 1 });
    const operator = await tokenFor('operator', 'ops-reconcile');
    const open = await api('GET', '/v1/ops/reconciliation/findings?status=open', operator);
    const finding = open.body.findings.find((f: { orderId: string }) => f.orderId === orderId);
    expect(finding).toMatchObject({ kind: 'double-charge', status: 'open', repair: null });

    const resolved = await api(
      'POST',
      `/v1/ops/reconciliation/findings/${finding.id}/resolve`,
      operator,
      {
        note: 'refunded by hand in the payment console',
      },
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'ops-reconcile' });
    const twice = await api(
      'POST',
      `/v1/ops/reconciliation/findings/${finding.id}/resolve`,
      operator,
      {
        note: 'again',
      },
    );
    expect(twice.status).toBe(409);
    // Known now: a re-run queues nothing new.
    expect(await reconcile(orderId)).toMatchObject({ queued: 0 });
  });

  it("refuses a grace below the floor, naming it, and judges a short request with the minimum of the worker's step timeouts", async () => {
    const operator = await tokenFor('operator', 'ops-reconcile');
    const floorSeconds = RECONCILIATION_GRACE_FLOOR_MS / 1000;
    const refused = await api('POST', '/v1/ops/reconciliation/runs', operator, {
      graceSeconds: 0,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        field: 'graceSeconds',
        message: expect.stringContaining(String(floorSeconds)),
      }),
    ]);
    const audited = await platformDb.query(
      `SELECT count(*)::int AS n FROM operator_audit WHERE action = 'reconciliation-run' AND details->>'graceSeconds' = '0'`,
    );
    expect(audited.rows[0].n).toBe(0);
    const atTheFloor = await api('POST', '/v1/ops/reconciliation/runs', operator, {
      orderId: 'no-such-order',
      graceSeconds: floorSeconds,
    });
    expect(atTheFloor.status).toBe(202);
    const summary = await eventually('the run to complete', async () => {
      const { body } = await api('GET', atTheFloor.body.links.self, operator);
      return body.status === 'completed' ? body.summary : undefined;
    });
    // The worker of this suite runs the default payment SLAs (its overrides touch returns only).
    expect(summary.grace).toEqual(
      reconciliationMinimumGrace(
        loadPolicies({ standard: { returnWindowMs: '2s' } }),
        DOWNSTREAM_CALL_BUDGET_MS,
      ),
    );
  });

  it('runs on a Temporal Schedule the worker keeps, skipping a run while the last one is busy', async () => {
    const schedule = await temporal.schedule.getHandle('order-reconciliation').describe();
    expect(schedule.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'reconciliation',
    });
    expect(schedule.spec.intervals?.[0]?.every).toBe(15 * 60_000);
    expect(schedule.policies.overlap).toBe('SKIP');
  });
});
