/**
 * Admission as two gateways, over real HTTP on the real stack: both on one task queue and one
 * database, with no worker behind the queue (orders pile up unstarted, as when workers fall
 * behind). Concurrent requests spread over both never admit more than the bound together, and a
 * customer calling both at once never gets past its one limit; refusals are 429 problems with
 * Retry-After, and everything admitted has its workflow.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { ORDER_WORKFLOW_TYPE } from '@order-platform/workflows';
import { workflowIdForOrder } from '@order-platform/domain';
import {
  AppsUnderTest,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteTemporal,
  type GatewayReply,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

const BOUND = 6;
const BURST = 3;

describe('admission across two gateways on the real stack', () => {
  const apps = new AppsUnderTest('admission-across-gateways');
  const gateways: string[] = [];
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;
  const admitted = new Set<string>();

  async function place(gateway: string, customer: string): Promise<GatewayReply> {
    const reply = await gatewayCall(gateway, 'POST', '/v1/orders', {
      token: await tokenFor('customer', customer),
      headers: { 'idempotency-key': randomUUID() },
      body: {
        items: [{ sku: 'SKU-SHARED', quantity: 1 }],
        shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
      },
    });
    if (reply.status === 202) admitted.add(reply.body.orderId as string);
    return reply;
  }

  /** `count` requests at once, alternating between the two gateways. */
  const burst = (count: number, customer: (i: number) => string) =>
    Promise.all(Array.from({ length: count }, (_, i) => place(gateways[i % 2]!, customer(i))));

  const expectRefused = (replies: GatewayReply[], slug: string) => {
    for (const reply of replies) {
      expect(reply.status).toBe(429);
      expect(reply.headers.get('content-type')).toContain('application/problem+json');
      expect(reply.body.type).toBe(`urn:order-platform:problem:${slug}`);
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  };

  beforeAll(async () => {
    const simulators = await apps.start('simulators');
    await simulatorCall(simulators, 'PUT', '/catalogue/products/SKU-SHARED', {
      priceMinor: 500,
      currency: 'EUR',
    });
    const env = {
      CATALOGUE_URL: simulators,
      ADMISSION_MAX_PENDING: String(BOUND),
      ADMISSION_MAX_PENDING_EXPEDITED: String(BOUND),
      RATE_LIMIT_ORDERS_BURST: String(BURST),
      RATE_LIMIT_ORDERS_PER_MINUTE: '1',
      ADMISSION_SAMPLE_MS: '200',
    };
    gateways.push(
      ...(await Promise.all([
        apps.start('gateway', 'gateway-a', env),
        apps.start('gateway', 'gateway-b', env),
      ])),
    );
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled(
      [...admitted].map((orderId) =>
        temporal.workflow.getHandle(workflowIdForOrder(orderId)).terminate('test over'),
      ),
    );
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  it('lets one customer calling both gateways at once no further than its one limit', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const replies = await burst(12, () => customer);
    expect(replies.filter((r) => r.status === 202)).toHaveLength(BURST);
    expectRefused(
      replies.filter((r) => r.status !== 202),
      'rate-limited',
    );
    // Later, on either gateway, still refused: the bucket is the customer's, not a gateway's.
    for (const gateway of gateways) {
      expectRefused([await place(gateway, customer)], 'rate-limited');
    }
  }, 60_000);

  it('never admits more than the bound together, however the requests race', async () => {
    // Rounds of concurrent requests from many customers, while samples land in between.
    for (let round = 0; round < 4; round++) {
      const replies = await burst(24, () => `c-${randomUUID().slice(0, 8)}`);
      expectRefused(
        replies.filter((r) => r.status !== 202),
        'backlog-full',
      );
      expect(admitted.size).toBeLessThanOrEqual(BOUND);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Errs towards refusing while visibility catches up, never past: one at a time fills up to
    // exactly the bound, and the next is refused on either gateway.
    const deadline = Date.now() + 30_000;
    while (admitted.size < BOUND && Date.now() < deadline) {
      await place(gateways[admitted.size % 2]!, `c-${randomUUID().slice(0, 8)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(admitted.size).toBe(BOUND);
    for (const gateway of gateways) {
      expectRefused([await place(gateway, `c-${randomUUID().slice(0, 8)}`)], 'backlog-full');
    }

    // Everything admitted has its workflow, and nothing else started on the queue.
    const query = `WorkflowType = "${ORDER_WORKFLOW_TYPE}" AND TaskQueue = "${apps.taskQueue}"`;
    await eventually('visibility to show every admitted order', async () =>
      (await temporal.workflow.count(query)).count >= BOUND ? true : undefined,
    );
    expect((await temporal.workflow.count(query)).count).toBe(BOUND);
    for (const orderId of admitted) {
      const description = await temporal.workflow.getHandle(workflowIdForOrder(orderId)).describe();
      expect(description.status.name).toBe('RUNNING');
    }
  }, 120_000);
});
