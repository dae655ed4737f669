/**
 * The strangler end to end on the real stack: the sample monolith takes orders; the legacy
 * adapter mirrors them (logical replication), starts and signals a workflow per order (signal
 * bridge) and compares decisions; the worker runs those workflows against the simulators; the
 * gateway answers the customer and takes the operator's routing changes. Migrating the fraud
 * stage from legacy to shadow to new, as docs/strangler.md walks through it.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import {
  AppsUnderTest,
  simulatorCall,
  suiteEnv,
  dropReplicationSlot,
  monolithCall as monolithCallAt,
  eventually,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

interface View {
  stage: string;
  migrationRoute: string;
  stageRoutes?: Record<string, string>;
}

describe('strangling the monolith one stage at a time', () => {
  const apps = new AppsUnderTest('strangler');
  const suffix = randomUUID().slice(0, 8);
  const slot = `strangler_test_${suffix}`;
  const sku = `SKU-STR-${suffix}`;
  let monolith: string;
  let simulators: string;
  let gateway: string;
  let platformDb: PgClient;

  beforeAll(async () => {
    monolith = await apps.start('legacy-monolith');
    simulators = await apps.downstream({ MONOLITH_URL: monolith });
    await apps.start('legacy-adapter', 'legacy-adapter', {
      MIRROR_SOURCE: 'cdc',
      MIRROR_SLOT: slot,
      MIRROR_PUBLICATION: slot,
      COMPARATOR_GRACE_MS: '3000',
    });
    gateway = await apps.start('gateway');
    await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 1000 });
    await monolithCall('PUT', `/stock/${sku}`, { onHand: 1000 });
    await monolithCall('PUT', `/products/${sku}`, { priceCents: 4200, currency: 'EUR' });
    await monolithCall('PUT', '/settings/fraud', {});
    // The monolith decides every stage itself until this suite routes one to the platform.
    await monolithCall('PUT', '/settings/handover', {});
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    await platformDb.query(`UPDATE stage_route SET mode = 'legacy', new_percent = 100`);
  }, 240_000);

  afterAll(async () => {
    await platformDb?.query(`UPDATE stage_route SET mode = 'legacy', new_percent = 100`);
    await monolithCall('PUT', '/settings/fraud', {}).catch(() => undefined);
    await apps.stopAll();
    await dropReplicationSlot(slot).catch(() => undefined);
    await platformDb?.end();
  }, 60_000);

  const monolithCall = (method: string, path: string, body?: unknown) =>
    monolithCallAt(monolith, method, path, body);

  async function placeInMonolith(customerId: string): Promise<string> {
    const reply = await monolithCall('POST', '/orders', {
      customerId,
      items: [{ sku, quantity: 1 }],
    });
    return reply.orderId as string;
  }

  async function customerStatus(customerId: string, orderId: string, wanted: string) {
    const token = await tokenFor('customer', customerId);
    return eventually(`${orderId} to read ${wanted}`, async () => {
      const response = await fetch(`${gateway}/v1/orders/${orderId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { status?: string };
      return body.status === wanted ? body : undefined;
    });
  }

  async function viewOf(orderId: string): Promise<View> {
    return eventually(`the read model of ${orderId}`, async () => {
      const { rows } = await platformDb.query('SELECT view FROM order_status WHERE order_id = $1', [
        orderId,
      ]);
      return rows[0]?.view as View | undefined;
    });
  }

  async function verdicts(orderId: string, stages: string[]) {
    return eventually(`verdicts on ${stages.join(', ')} for ${orderId}`, async () => {
      const { rows } = await platformDb.query<{ stage: string; outcome: string }>(
        `SELECT stage, outcome FROM stage_comparison WHERE order_id = $1 AND outcome <> 'pending'`,
        [orderId],
      );
      const byStage = Object.fromEntries(rows.map((row) => [row.stage, row.outcome]));
      return stages.every((stage) => byStage[stage]) ? byStage : undefined;
    });
  }

  async function route(stage: string, body: Record<string, unknown>) {
    const response = await fetch(`${gateway}/v1/ops/routing/${stage}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${await tokenFor('operator', 'ops-migration')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const sideEffectsOf = async (orderId: string) => ({
    ledger: await simulatorCall<unknown[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    ),
    reservations: await simulatorCall<unknown[]>(
      simulators,
      'GET',
      `/warehouse/reservations?orderId=${orderId}`,
    ),
  });

  it('tells a monolith customer the truth through the gateway while the monolith decides every stage', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const orderId = await placeInMonolith(customer);
    await customerStatus(customer, orderId, 'READY_TO_SHIP');
    await monolithCall('POST', `/orders/${orderId}/ship`);
    await customerStatus(customer, orderId, 'SHIPPED');
    await monolithCall('POST', `/orders/${orderId}/deliver`);
    const delivered = await customerStatus(customer, orderId, 'DELIVERED');
    expect(delivered).toMatchObject({ orderId, delayed: false });

    const view = await viewOf(orderId);
    expect(view.migrationRoute).toBe('legacy');
    expect(view.stageRoutes).toEqual({
      fraud: 'legacy',
      inventory: 'legacy',
      payment: 'legacy',
      fulfilment: 'legacy',
      notification: 'legacy',
    });
    // Nothing was done twice: the platform held no stock and took no money for it.
    expect(await sideEffectsOf(orderId)).toEqual({ ledger: [], reservations: [] });
  });

  it('decides shadowed stages side by side without side effects, and compares them', async () => {
    for (const stage of ['fraud', 'inventory', 'payment']) {
      expect(
        (await route(stage, { mode: 'shadow', reason: 'compare before we trust it' })).status,
      ).toBe(200);
    }
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const orderId = await placeInMonolith(customer);
    expect(await verdicts(orderId, ['fraud', 'inventory', 'payment'])).toMatchObject({
      fraud: 'match',
      inventory: 'match',
      payment: 'match',
    });
    await customerStatus(customer, orderId, 'READY_TO_SHIP');
    expect(await sideEffectsOf(orderId)).toEqual({ ledger: [], reservations: [] });
    expect((await viewOf(orderId)).stageRoutes).toMatchObject({
      fraud: 'shadow',
      payment: 'shadow',
    });
  });

  it('guards the promotion to new, and a stage flipped to new takes over new orders only', async () => {
    const before = await placeInMonolith(`c-${randomUUID().slice(0, 8)}`);
    await verdicts(before, ['fraud']);

    const refused = await route('fraud', { mode: 'new', reason: 'looks good' });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:order-platform:problem:promotion-refused');
    const promoted = await route('fraud', {
      mode: 'new',
      reason: 'looks good',
      overrideReason: 'demo with a small sample',
    });
    expect(promoted.status).toBe(200);
    const audit = await platformDb.query(
      `SELECT operator_id, details FROM operator_audit
        WHERE action = 'routing-change' AND subject = 'fraud' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0]).toMatchObject({
      operator_id: 'ops-migration',
      details: { overrideReason: 'demo with a small sample', to: { mode: 'new' } },
    });

    // The monolith now waits for the platform's fraud decision.
    await monolithCall('PUT', '/settings/fraud', { deferToPlatform: true });
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const after = await placeInMonolith(customer);
    await customerStatus(customer, after, 'READY_TO_SHIP');
    const decided = await monolithCall('GET', `/orders/${after}`);
    expect(decided).toMatchObject({ status: 'ACCEPTED' });
    expect(JSON.stringify(decided)).toContain('external');
    expect(await verdicts(after, ['fraud'])).toMatchObject({ fraud: 'match' });

    expect((await viewOf(before)).stageRoutes?.fraud).toBe('shadow');
    expect((await viewOf(after)).stageRoutes?.fraud).toBe('new');

    // Rolling back is never blocked.
    expect((await route('fraud', { mode: 'legacy', reason: 'roll back' })).status).toBe(200);
  });
});
