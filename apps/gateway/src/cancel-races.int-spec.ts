/**
 * A cancel racing the parcel, end to end on the real platform (gateway, worker and simulators
 * from their entry points; the warehouse tells the platform through its signed webhook): a
 * cancel during a slow capture, a cancel sent at the moment the warehouse dispatches, and a
 * dispatch and a cancel that reach the order in one workflow task. Whatever the timing, the
 * API's answer is what happened: refused (409) and the order ships captured once, nothing
 * voided or restocked; or cancelled and nothing captured.
 */
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { RETURN_INSTEAD, workflowIdForOrder } from '@order-platform/domain';
import {
  AppsUnderTest,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteTemporal,
  type GatewayReply,
} from '@order-platform/tools';
import { cancelOrderUpdate } from '@order-platform/workflows';
import { tokenFor } from './testing/test-tokens';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How long the payment gateway takes to answer once dialled slow: the capture's window. */
const SLOW_PAYMENTS_MS = 6_000;

describe('a cancel racing the parcel, on the real platform', () => {
  const apps = new AppsUnderTest('cancel-races');
  const sku = `SKU-CR-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let simulators: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;

  beforeAll(async () => {
    simulators = await apps.downstream();
    gateway = await apps.start('gateway');
    await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {
      webhookUrl: `${gateway}/v1/webhooks/fulfillment`,
    });
    await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    await simulatorCall(simulators, 'PUT', '/payments/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterEach(async () => {
    await simulatorCall(simulators, 'PUT', '/payments/settings', {});
  });

  afterAll(async () => {
    if (simulators) await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {});
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  const customerApi = async (customer: string, method: string, path: string, body?: unknown) =>
    gatewayCall(gateway, method, path, {
      token: await tokenFor('customer', customer),
      body,
      headers:
        method === 'POST' && path === '/v1/orders' ? { 'idempotency-key': randomUUID() } : {},
    });

  async function placeReadyOrder(): Promise<{ customer: string; orderId: string }> {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const placed = await customerApi(customer, 'POST', '/v1/orders', {
      items: [{ sku, quantity: 2 }],
      shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
    });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body as { orderId: string };
    await statusOf(customer, orderId, (o) => o.status === 'READY_TO_SHIP');
    return { customer, orderId };
  }

  const statusOf = (customer: string, orderId: string, wanted: (order: Json) => boolean) =>
    eventually(
      `order ${orderId} to be as expected`,
      async () => {
        const reply = await customerApi(customer, 'GET', `/v1/orders/${orderId}`);
        return wanted(reply.body) ? (reply.body as Json) : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );

  const ledgerOf = async (orderId: string) =>
    (
      await simulatorCall<{ kind: string; amountMinor: number }[]>(
        simulators,
        'GET',
        `/payments/ledger?orderId=${orderId}`,
      )
    ).map((entry) => [entry.kind, entry.amountMinor]);

  const reservationStatesOf = async (orderId: string) =>
    (
      await simulatorCall<{ state: string }[]>(
        simulators,
        'GET',
        `/warehouse/reservations?orderId=${orderId}`,
      )
    ).map((r) => r.state);

  async function shipmentOf(orderId: string): Promise<string> {
    const [shipment] = await simulatorCall<{ shipmentId: string }[]>(
      simulators,
      'GET',
      `/fulfillment/shipments?orderId=${orderId}`,
    );
    return shipment!.shipmentId;
  }

  /** The warehouse floor dispatches the parcel: 200, or 409 once the shipment was cancelled. */
  const dispatch = (shipmentId: string) =>
    fetch(`${simulators}/fulfillment/shipments/${shipmentId}/dispatch`, {
      method: 'POST',
      headers: { 'idempotency-key': randomUUID() },
    });

  /** Refused, and the order ships: captured once, nothing voided, the stock not given back. */
  async function expectShippedCapturedOnce(
    customer: string,
    orderId: string,
    refused: GatewayReply,
  ) {
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:order-platform:problem:cancel-refused',
      detail: expect.stringContaining('request a return'),
    });
    const shipped = await statusOf(customer, orderId, (o) => o.status === 'SHIPPED');
    expect(shipped.cancellable).toBe(false);
    expect(await ledgerOf(orderId)).toEqual([
      ['authorization', 3000],
      ['capture', 3000],
    ]);
    expect(await reservationStatesOf(orderId)).not.toContain('released');
  }

  /** Cancelled, and nothing was captured: the authorization voided, the stock released. */
  async function expectCancelledNothingCaptured(customer: string, orderId: string) {
    await statusOf(customer, orderId, (o) => o.status === 'CANCELLED');
    const ledger = await eventually('the authorization to be voided', async () => {
      const entries = await ledgerOf(orderId);
      return entries.some(([kind]) => kind === 'void') ? entries : undefined;
    });
    expect(ledger).toEqual([
      ['authorization', 3000],
      ['void', 3000],
    ]);
    await eventually('the stock to be released', async () =>
      (await reservationStatesOf(orderId)).includes('released') ? true : undefined,
    );
  }

  it('refuses a cancel that arrives while a slow capture is under way, and ships the order captured once', async () => {
    const { customer, orderId } = await placeReadyOrder();
    await simulatorCall(simulators, 'PUT', '/payments/settings', { latencyMs: SLOW_PAYMENTS_MS });

    expect((await dispatch(await shipmentOf(orderId))).status).toBe(200);
    // The platform heard of the dispatch and recorded it before capturing: no longer
    // cancellable, not yet shipped. The capture now waits on the slow payment gateway.
    await statusOf(customer, orderId, (o) => o.status === 'READY_TO_SHIP' && !o.cancellable);
    const refused = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
    // Answered during the capture: the payment gateway has not taken the money yet.
    expect(await ledgerOf(orderId)).toEqual([['authorization', 3000]]);

    await expectShippedCapturedOnce(customer, orderId, refused);
  }, 180_000);

  it('answers a cancel sent as the warehouse dispatches with what then happened', async () => {
    const { customer, orderId } = await placeReadyOrder();
    // Slow payments: the void of a cancel and the capture of a dispatch both take a while.
    await simulatorCall(simulators, 'PUT', '/payments/settings', { latencyMs: SLOW_PAYMENTS_MS });
    const shipmentId = await shipmentOf(orderId);

    const [dispatched, cancel] = await Promise.all([
      dispatch(shipmentId),
      customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`),
    ]);

    if (dispatched.status === 200) {
      // The parcel left: whichever reached the order first, the cancel cannot have won.
      await expectShippedCapturedOnce(customer, orderId, cancel);
    } else {
      // The cancel recalled the shipment before the floor could dispatch it.
      expect(dispatched.status).toBe(409);
      expect([200, 202]).toContain(cancel.status);
      await expectCancelledNothingCaptured(customer, orderId);
    }
  }, 180_000);

  it('lets a dispatch win over a cancel that reaches the order in the same workflow task', async () => {
    const { customer, orderId } = await placeReadyOrder();
    const handle = temporal.workflow.getHandle(workflowIdForOrder(orderId));

    // With no worker, facts wait in Temporal and the next workflow task carries them all.
    await apps.stop('worker');
    let cancel: Promise<unknown> | undefined;
    try {
      expect((await dispatch(await shipmentOf(orderId))).status).toBe(200);
      await eventually('the platform to have the dispatch', async () => {
        const notes = await simulatorCall<{ kind: string; state: string }[]>(
          simulators,
          'GET',
          `/fulfillment/notifications?orderId=${orderId}`,
        );
        return notes.some((n) => n.kind === 'dispatched' && n.state === 'delivered')
          ? true
          : undefined;
      });
      // The cancel the gateway would send, after the dispatch: it waits for a worker too.
      cancel = handle
        .executeUpdate(cancelOrderUpdate, {
          args: [{ reason: 'cancelled by the customer', requestedBy: customer }],
        })
        .then(
          () => 'accepted',
          (error: unknown) => error,
        );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await apps.restart('worker');
    }

    const outcome = await cancel!;
    expect(outcome).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((outcome as WorkflowUpdateFailedError).cause?.message).toContain(RETURN_INSTEAD);
    const again = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
    await expectShippedCapturedOnce(customer, orderId, again);
    // One dispatch fact, one capture: the signal and the cancel were taken once each.
    const history = await handle.fetchHistory();
    const signals = (history.events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'shipmentDispatched',
    );
    expect(signals).toHaveLength(1);
  }, 240_000);

  it('answers a cancel the order cannot take up yet as pending, and a retry with the outcome, never a second cancel', async () => {
    const { customer, orderId } = await placeReadyOrder();
    const handle = temporal.workflow.getHandle(workflowIdForOrder(orderId));

    await apps.stop('worker');
    let first: GatewayReply;
    let again: GatewayReply;
    try {
      // Temporal holds the update for the order, but no worker runs it: not a 503, and not done.
      first = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
      again = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
      // Nothing happened yet: the order still reads as it did.
      expect((await customerApi(customer, 'GET', `/v1/orders/${orderId}`)).body).toMatchObject({
        status: 'READY_TO_SHIP',
      });
    } finally {
      await apps.restart('worker');
    }
    for (const reply of [first, again]) {
      expect(reply.status).toBe(202);
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(reply.body).toMatchObject({
        orderId,
        cancellation: 'pending',
        detail: expect.stringContaining('Send the same cancel again'),
      });
    }

    // The cancel arrives once the worker is back; a retry attaches to it and tells its outcome.
    const outcome = await eventually(
      'the retried cancel to answer its outcome',
      async () => {
        const reply = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
        return reply.status === 200 ? reply : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(outcome.body).toMatchObject({ orderId, status: 'CANCELLED' });
    await expectCancelledNothingCaptured(customer, orderId);
    // One cancel reached the order, however many times it was sent.
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes,
    );
    expect(accepted).toHaveLength(1);
    expect(
      accepted[0]!.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest?.meta?.updateId,
    ).toBe('customer-cancel');
  }, 240_000);

  it('answers a pending cancel the parcel overtook, once the order can say, with the refusal', async () => {
    const { customer, orderId } = await placeReadyOrder();

    await apps.stop('worker');
    let pending: GatewayReply;
    try {
      pending = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
      // Meanwhile the warehouse dispatches: the recall the cancel begins with cannot succeed.
      expect((await dispatch(await shipmentOf(orderId))).status).toBe(200);
    } finally {
      await apps.restart('worker');
    }
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({ orderId, cancellation: 'pending' });

    const outcome = await eventually(
      'the retried cancel to answer its outcome',
      async () => {
        const reply = await customerApi(customer, 'POST', `/v1/orders/${orderId}/cancel`);
        return reply.status === 202 ? undefined : reply;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    await expectShippedCapturedOnce(customer, orderId, outcome);
  }, 240_000);
});
