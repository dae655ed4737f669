/**
 * A return over the gateway's API, end to end on the real platform (gateway, worker and
 * simulators started from their entry points on the suite's stack): a customer sends back part
 * of a shipped order, the warehouse records the parcel back, the line is restocked once and
 * refunded once, and the payment ledger shows the capture minus the refund.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { workflowIdForOrder } from '@order-platform/domain';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteTemporal,
} from '@order-platform/tools';
import {
  orderDeliveredSignal,
  returnReceivedSignal,
  shipmentDispatchedSignal,
} from '@order-platform/workflows';
import { tokenFor } from './testing/test-tokens';

describe('returns over the gateway API on the real platform', () => {
  const apps = new AppsUnderTest('order-returns');
  const sku = `SKU-RT-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let simulators: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;

  beforeAll(async () => {
    simulators = await apps.downstream();
    gateway = await apps.start('gateway');
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1250,
      currency: 'EUR',
    });
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  const api = async (
    customer: string,
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ) =>
    gatewayCall(gateway, method, path, {
      token: await tokenFor('customer', customer),
      body,
      headers: key ? { 'idempotency-key': key } : {},
    });

  const statusOf = (customer: string, orderId: string, wanted: string) =>
    eventually(`order ${orderId} to be ${wanted}`, async () => {
      const reply = await api(customer, 'GET', `/v1/orders/${orderId}`);
      return reply.body.status === wanted ? reply.body : undefined;
    });

  const ledgerOf = (orderId: string) =>
    simulatorCall<{ kind: string; amountMinor: number }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );

  it('returns one of two units: restocked once, refunded once, the ledger shows capture minus refund', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const placed = await api(
      customer,
      'POST',
      '/v1/orders',
      {
        items: [{ sku, quantity: 2 }],
        currency: 'EUR',
        shippingAddress: {
          name: 'Ada Lovelace',
          line1: '12 St James Square',
          city: 'London',
          postalCode: 'SW1Y 4JH',
          country: 'GB',
        },
      },
      randomUUID(),
    );
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    await statusOf(customer, orderId, 'READY_TO_SHIP');
    const returnPath = `/v1/orders/${orderId}/returns`;

    // Before the parcel leaves, a return is refused.
    const early = await api(customer, 'POST', returnPath, { lines: [{ sku, quantity: 1 }] }, 'r-0');
    expect(early.status).toBe(409);

    // The warehouse dispatches the parcel, and the platform hears of it.
    const [shipment] = await simulatorCall<{ shipmentId: string }[]>(
      simulators,
      'GET',
      `/fulfillment/shipments?orderId=${orderId}`,
    );
    const dispatched = await fetch(
      `${simulators}/fulfillment/shipments/${shipment!.shipmentId}/dispatch`,
      { method: 'POST', headers: { 'idempotency-key': randomUUID() } },
    );
    expect(dispatched.status).toBe(200);
    const handle = temporal.workflow.getHandle(workflowIdForOrder(orderId));
    await handle.signal(shipmentDispatchedSignal, { trackingId: `track-${orderId}` });
    await statusOf(customer, orderId, 'SHIPPED');
    await handle.signal(orderDeliveredSignal);
    await statusOf(customer, orderId, 'DELIVERED');
    const stockBefore = await simulatorCall<{ onHand: number }>(
      simulators,
      'GET',
      `/warehouse/stock/${sku}`,
    );

    const tooMany = await api(
      customer,
      'POST',
      returnPath,
      { lines: [{ sku, quantity: 3 }] },
      'r-1',
    );
    expect(tooMany.status).toBe(409);
    expect(tooMany.body).toMatchObject({
      type: 'urn:order-platform:problem:return-exceeds-purchase',
      errors: [{ field: 'lines[0].quantity' }],
    });
    const unknown = await api(
      customer,
      'POST',
      returnPath,
      { lines: [{ sku: 'SKU-NOT-BOUGHT', quantity: 1 }] },
      'r-2',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'lines[0].sku' })]);
    const noKey = await api(customer, 'POST', returnPath, { lines: [{ sku, quantity: 1 }] });
    expect(noKey.status).toBe(400);

    const requested = await api(
      customer,
      'POST',
      returnPath,
      { lines: [{ sku, quantity: 1 }] },
      'r-3',
    );
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({
      state: 'authorized',
      lines: [{ sku, quantity: 1, refund: 1250 }],
      refunded: 0,
    });
    // The same key again: the same return, nothing authorized twice.
    const replayed = await api(
      customer,
      'POST',
      returnPath,
      { lines: [{ sku, quantity: 1 }] },
      'r-3',
    );
    expect(replayed.status).toBe(202);
    expect(replayed.body.returnId).toBe(requested.body.returnId);
    await statusOf(customer, orderId, 'RETURN_REQUESTED');

    // Operators see the open return and when its parcel is due; it is not overdue yet.
    const operator = await tokenFor('operator', 'ops-returns');
    const open = await eventually('the open return in the operator list', async () => {
      const reply = await gatewayCall(gateway, 'GET', '/v1/ops/returns?limit=500', {
        token: operator,
      });
      expect(reply.status).toBe(200);
      return (reply.body.returns as { returnId: string }[]).find(
        (r) => r.returnId === requested.body.returnId,
      );
    });
    expect(open).toMatchObject({
      orderId,
      customerId: customer,
      state: 'authorized',
      parcelDueBy: requested.body.parcelDueBy,
      overdue: false,
      lines: [{ sku, quantity: 1, refund: 1250 }],
    });
    const overdueOnly = await gatewayCall(gateway, 'GET', '/v1/ops/returns?overdue=true', {
      token: operator,
    });
    expect(overdueOnly.body.returns.map((r: { orderId: string }) => r.orderId)).not.toContain(
      orderId,
    );
    expect(overdueOnly.body.temporalUi).toContain(encodeURIComponent('ReturnDeadline <'));
    const forged = await gatewayCall(gateway, 'GET', '/v1/ops/returns?cursor=bm90LWEtY3Vyc29y', {
      token: operator,
    });
    expect(forged.status).toBe(400);
    expect((await api(customer, 'GET', '/v1/ops/returns')).status).toBe(403);

    // The parcel is recorded back by hand (the CLI's signal: the manual fallback to the
    // warehouse's webhook, which fulfillment-webhook.int-spec.ts follows end to end).
    await handle.signal(returnReceivedSignal, { returnId: requested.body.returnId });
    const refunded = await statusOf(customer, orderId, 'REFUNDED');
    expect(
      refunded.history.filter((h: { returnId?: string }) => h.returnId === requested.body.returnId),
    ).toEqual([
      expect.objectContaining({ status: 'RETURN_REQUESTED', returnStep: 'requested' }),
      expect.objectContaining({ status: 'RETURNED', returnStep: 'received' }),
      expect.objectContaining({ status: 'REFUNDED', returnStep: 'refunded' }),
    ]);
    const settled = await gatewayCall(gateway, 'GET', '/v1/ops/returns?limit=500', {
      token: operator,
    });
    expect(settled.body.returns.map((r: { orderId: string }) => r.orderId)).not.toContain(orderId);
    expect(refunded.returns).toEqual([
      expect.objectContaining({
        returnId: requested.body.returnId,
        state: 'refunded',
        refunded: 1250,
      }),
    ]);

    const ledger = await ledgerOf(orderId);
    expect(ledger.map((e) => [e.kind, e.amountMinor])).toEqual([
      ['authorization', 2500],
      ['capture', 2500],
      ['refund', 1250],
    ]);
    const restocked = await simulatorCall<{ returnId: string; quantity: number }[]>(
      simulators,
      'GET',
      `/warehouse/returns?orderId=${orderId}`,
    );
    expect(restocked).toEqual([
      expect.objectContaining({ returnId: requested.body.returnId, sku, quantity: 1 }),
    ]);
    const stockAfter = await simulatorCall<{ onHand: number }>(
      simulators,
      'GET',
      `/warehouse/stock/${sku}`,
    );
    expect(stockAfter.onHand).toBe(stockBefore.onHand + 1);

    // The one unit left may still be returned; a second unit beyond it may not.
    const rest = await api(customer, 'POST', returnPath, { lines: [{ sku, quantity: 2 }] }, 'r-4');
    expect(rest.status).toBe(409);
    expect(rest.body.detail).toContain('1 of 2 left');
  });
});
