/**
 * Intake that never restarts a finished order and never leaves one RECEIVED forever, on the real
 * stack. A gateway that cannot reach Temporal records submissions whose start failed: they
 * expire after its bound and read as such, a cancel of one not yet started is accepted and
 * sticks, and a gateway that reaches Temporal sweeps the rest and starts them. A replayed key
 * whose run Temporal no longer has (terminated and deleted, as retention would) starts nothing:
 * no second run, no second authorization in the payment ledger.
 */
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { workflowIdForOrder } from '@order-platform/domain';
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

/** Longer than a start's own 5 s bound, which a POST waits out while Temporal is away. */
const START_DEADLINE_MS = 25_000;

describe('intake: submissions whose workflow started, did not, or was forgotten', () => {
  const apps = new AppsUnderTest('intake');
  const sku = `SKU-IN-${randomUUID().slice(0, 8)}`;
  let simulators: string;
  let cutOff: string;
  let live: string | undefined;
  let platformDb: PgClient;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;

  beforeAll(async () => {
    simulators = await apps.downstream();
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    // Nothing listens there: Temporal is "down" for this gateway. Its sweeper expires; it never
    // gets as far as starting (the settle time outlasts the suite).
    cutOff = await apps.start(
      'gateway',
      'gateway-cut-off',
      {
        TEMPORAL_ADDRESS: `127.0.0.1:${await findFreePort()}`,
        ADMISSION_SAMPLE_MS: '200',
        SUBMISSION_START_DEADLINE_MS: String(START_DEADLINE_MS),
        SUBMISSION_SWEEP_INTERVAL_MS: '300',
        SUBMISSION_SWEEP_SETTLE_MS: '600000',
      },
      'live',
    );
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    await closeTemporal?.();
    await platformDb?.end();
    await apps.stopAll();
  }, 60_000);

  const call = (
    baseUrl: string,
    method: string,
    path: string,
    token: string,
    options: { body?: unknown; key?: string } = {},
  ) =>
    gatewayCall(baseUrl, method, path, {
      token,
      body: options.body,
      headers: options.key ? { 'idempotency-key': options.key } : {},
    });

  /**
   * A gateway that reaches Temporal, started only once the submissions meant to expire are
   * settled: its sweeper would start them.
   */
  const liveGateway = async (): Promise<string> =>
    (live ??= await apps.start('gateway', 'gateway-live', {
      SUBMISSION_SWEEP_INTERVAL_MS: '300',
      SUBMISSION_SWEEP_SETTLE_MS: '0',
    }));

  const orderBody = {
    items: [{ sku, quantity: 1 }],
    shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
  };

  /** The submission the customer's key recorded, as the gateway's table holds it. */
  async function submission(customer: string, key: string) {
    const { rows } = await platformDb.query(
      `SELECT order_id, start_state, start_attempts, last_error, started_at
         FROM order_submission WHERE customer_id = $1 AND idempotency_key = $2`,
      [customer, key],
    );
    return rows[0] as
      | {
          order_id: string;
          start_state: string;
          start_attempts: number;
          last_error: string | null;
          started_at: Date | null;
        }
      | undefined;
  }

  async function hasRun(orderId: string): Promise<boolean> {
    try {
      await temporal.workflow.getHandle(workflowIdForOrder(orderId)).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  const authorizationsOf = async (orderId: string) =>
    (
      await simulatorCall<{ kind: string }[]>(
        simulators,
        'GET',
        `/payments/ledger?orderId=${orderId}`,
      )
    ).filter((entry) => entry.kind === 'authorization');

  it('expires a submission whose workflow could not be started in time, and says so', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const key = randomUUID();
    const placed = await call(cutOff, 'POST', '/v1/orders', token, { body: orderBody, key });
    expect(placed.status).toBe(503);
    const recorded = await submission(customer, key);
    expect(recorded).toMatchObject({ start_state: 'failed', start_attempts: 1 });
    expect(recorded!.last_error).toEqual(expect.any(String));
    const orderId = recorded!.order_id;

    const expired = await eventually(
      'the submission to expire',
      async () => {
        const { body } = await call(cutOff, 'GET', `/v1/orders/${orderId}`, token);
        return body.status === 'RECEIVED' ? undefined : body;
      },
      { timeoutMs: START_DEADLINE_MS + 10_000 },
    );
    expect(expired).toMatchObject({
      orderId,
      status: 'REJECTED',
      statusReason: 'not-started',
      cancellable: false,
      links: { self: `/v1/orders/${orderId}` },
    });
    expect(await submission(customer, key)).toMatchObject({ start_state: 'expired' });
    // The submission is the whole truth here: even a strong read needs no workflow to answer.
    const strong = await call(cutOff, 'GET', `/v1/orders/${orderId}?consistency=strong`, token);
    expect(strong.status).toBe(200);
    expect(strong.body).toMatchObject({ status: 'REJECTED', statusReason: 'not-started' });
    const listed = await call(cutOff, 'GET', '/v1/orders?status=REJECTED', token);
    expect(listed.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);

    const cancel = await call(cutOff, 'POST', `/v1/orders/${orderId}/cancel`, token);
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ type: 'urn:order-platform:problem:cancel-refused' });
    expect(cancel.body.detail).toContain('never started');
    const replay = await call(cutOff, 'POST', '/v1/orders', token, { body: orderBody, key });
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ type: 'urn:order-platform:problem:order-not-started' });
    expect(await hasRun(orderId)).toBe(false);
  });

  it('cancels an order not yet started for good, and sweeps the others into a start once Temporal answers', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const [cancelKey, sweptKey] = [randomUUID(), randomUUID()];
    // Each refused start takes the gateway's Temporal call limit (5 s): the cancel comes right
    // after its own order, so neither waits long enough for the cut-off gateway to expire it.
    expect(
      (await call(cutOff, 'POST', '/v1/orders', token, { body: orderBody, key: cancelKey })).status,
    ).toBe(503);
    const toCancel = (await submission(customer, cancelKey))!.order_id;
    const cancelled = await call(cutOff, 'POST', `/v1/orders/${toCancel}/cancel`, token);
    expect(
      (await call(cutOff, 'POST', '/v1/orders', token, { body: orderBody, key: sweptKey })).status,
    ).toBe(503);
    const toSweep = (await submission(customer, sweptKey))!.order_id;

    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      orderId: toCancel,
      status: 'CANCELLED',
      statusReason: 'not-started',
      cancellable: false,
    });
    expect(await submission(customer, cancelKey)).toMatchObject({ start_state: 'cancelled' });
    // The gateway that could not reach Temporal goes away before its bound expires the other.
    await apps.kill('gateway-cut-off');

    const gateway = await liveGateway();
    const swept = await eventually('the sweeper to start the failed submission', async () => {
      const row = await submission(customer, sweptKey);
      return row?.start_state === 'started' ? row : undefined;
    });
    expect(swept.started_at).toEqual(expect.any(Date));
    expect(swept.start_attempts).toBeGreaterThanOrEqual(2);
    await eventually('the swept order to be ready to ship', async () => {
      const { body } = await call(gateway, 'GET', `/v1/orders/${toSweep}`, token);
      return body.status === 'READY_TO_SHIP' ? body : undefined;
    });

    // The cancelled one stays cancelled: nothing started it, nothing was held for it.
    expect(await submission(customer, cancelKey)).toMatchObject({ start_state: 'cancelled' });
    expect(await hasRun(toCancel)).toBe(false);
    expect(await authorizationsOf(toCancel)).toEqual([]);
    const read = await call(gateway, 'GET', `/v1/orders/${toCancel}`, token);
    expect(read.body).toMatchObject({ status: 'CANCELLED', statusReason: 'not-started' });
  });

  it('answers a replay whose run Temporal has forgotten with the same order, starting nothing', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const key = randomUUID();
    const gateway = await liveGateway();
    const placed = await call(gateway, 'POST', '/v1/orders', token, { body: orderBody, key });
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;
    await eventually(`${orderId} ready to ship`, async () => {
      const { body } = await call(gateway, 'GET', `/v1/orders/${orderId}`, token);
      return body.status === 'READY_TO_SHIP' ? body : undefined;
    });
    expect(await authorizationsOf(orderId)).toHaveLength(1);
    expect(await submission(customer, key)).toMatchObject({ start_state: 'started' });

    // What retention does to a finished run, done at once.
    const workflowId = workflowIdForOrder(orderId);
    await temporal.workflow.getHandle(workflowId).terminate('retention drill');
    // Deletion is a task the server runs when it gets to it; under load it can take a while,
    // so it is asked for again until the run is gone.
    await eventually(
      'the run to be deleted',
      async () => {
        if (!(await hasRun(orderId))) return true;
        await temporal.workflowService.deleteWorkflowExecution({
          namespace: suiteEnv('TEMPORAL_NAMESPACE'),
          workflowExecution: { workflowId },
        });
        return undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );

    const replay = await call(gateway, 'POST', '/v1/orders', token, { body: orderBody, key });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ orderId });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // Long enough for a second run to have reserved and authorized, had one started.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await hasRun(orderId)).toBe(false);
    expect(await authorizationsOf(orderId)).toHaveLength(1);
  });
});
