/**
 * The HTTP adapters against the real simulators (started as a process, from their entry point,
 * on the test stack's PostgreSQL): what the saga relies on, said in business terms. Every test
 * uses its own skus, orders and customers, so it reads only its own records.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, PLATFORM_APPS, startApp, stopApp } from '@order-platform/tools';
import { BusinessOutcomeError } from './errors';
import { HttpProblemError } from './http-client';
import type { DownstreamPorts } from './downstream-activities';
import { createHttpPorts } from './http-ports';

interface RunningProcess {
  url: string;
  stop(): Promise<void>;
}

/** The simulators' own entry point, started as `npm start` starts it; ready once /health/ready is 200. */
async function startSimulatorsProcess(): Promise<RunningProcess> {
  const simulators = PLATFORM_APPS.find((app) => app.name === 'simulators')!;
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'simulators-'));
  const pidFile = join(dir, 'simulators.pid');
  await startApp(
    simulators,
    { ...process.env, SIMULATORS_PORT: String(port) },
    { logFile: join(dir, 'simulators.log'), pidFile },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await stopApp(pidFile);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

/** Expects a business outcome of this type (what `asActivity` turns into a saga step). */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BusinessOutcomeError)) {
    throw new Error(`expected a business outcome, got ${String(error)}`);
  }
  return error.type;
}

describe('the downstream HTTP adapters against the simulators', () => {
  let simulators: RunningProcess;
  let ports: DownstreamPorts;

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${simulators.url}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const put = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${simulators.url}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  const post = (path: string, key: string) =>
    fetch(`${simulators.url}${path}`, { method: 'POST', headers: { 'idempotency-key': key } });

  beforeAll(async () => {
    simulators = await startSimulatorsProcess();
    const url = simulators.url;
    ports = createHttpPorts({
      fraud: url,
      inventory: url,
      payment: url,
      fulfillment: url,
      notifications: url,
    });
  });

  afterAll(async () => {
    await simulators?.stop();
  });

  describe('warehouse', () => {
    interface Stock {
      onHand: number;
      reserved: number;
      allocated: number;
      available: number;
    }
    const stockOf = (sku: string) => get<Stock>(`/warehouse/stock/${sku}`);

    it('conserves stock through reserve, allocate and release', async () => {
      const sku = unique('sku');
      const orderId = unique('order');
      await put(`/warehouse/stock/${sku}`, { onHand: 10 });
      const { reservationId, expiresAt } = await ports.inventory.reserve({
        idempotencyKey: `${orderId}/reserve`,
        orderId,
        lines: [{ sku, quantity: 3 }],
        ttlMs: 60_000,
      });
      expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
      expect(await stockOf(sku)).toEqual({
        sku,
        onHand: 10,
        reserved: 3,
        allocated: 0,
        available: 7,
      });

      await ports.inventory.allocate({ idempotencyKey: `${orderId}/allocate`, reservationId });
      expect(await stockOf(sku)).toEqual({
        sku,
        onHand: 10,
        reserved: 0,
        allocated: 3,
        available: 7,
      });

      // An allocation is released too (the order was cancelled before shipping): stock returns.
      await ports.inventory.release({ idempotencyKey: `${orderId}/release`, reservationId });
      expect(await stockOf(sku)).toEqual({
        sku,
        onHand: 10,
        reserved: 0,
        allocated: 0,
        available: 10,
      });
      // Releasing again (another step, another key) is harmless.
      await ports.inventory.release({ idempotencyKey: `${orderId}/release-again`, reservationId });
      expect((await stockOf(sku)).available).toBe(10);
    });

    it('lets a lapsed reservation go: it cannot be allocated and its stock is available again', async () => {
      const sku = unique('sku');
      const orderId = unique('order');
      await put(`/warehouse/stock/${sku}`, { onHand: 5 });
      const { reservationId } = await ports.inventory.reserve({
        idempotencyKey: `${orderId}/reserve`,
        orderId,
        lines: [{ sku, quantity: 5 }],
        ttlMs: 200,
      });
      expect((await stockOf(sku)).available).toBe(0);
      await sleep(400);
      expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 5 });
      expect(
        await outcomeOf(
          ports.inventory.allocate({ idempotencyKey: `${orderId}/allocate`, reservationId }),
        ),
      ).toBe('ReservationExpired');
      const reservations = await get<{ state: string }[]>(
        `/warehouse/reservations?orderId=${orderId}`,
      );
      expect(reservations.map((r) => r.state)).toEqual(['expired']);
      // The saga's compensation still runs to completion: releasing a lapsed hold succeeds.
      await ports.inventory.release({ idempotencyKey: `${orderId}/release`, reservationId });
      await ports.inventory.release({
        idempotencyKey: `${orderId}/release`,
        reservationId: 'res_unknown',
      });
    });

    it('says OutOfStock when any line is short, and reserves nothing at all', async () => {
      const [plenty, scarce] = [unique('sku'), unique('sku')];
      const orderId = unique('order');
      await put(`/warehouse/stock/${plenty}`, { onHand: 5 });
      await put(`/warehouse/stock/${scarce}`, { onHand: 1 });
      const reserving = ports.inventory.reserve({
        idempotencyKey: `${orderId}/reserve`,
        orderId,
        lines: [
          { sku: plenty, quantity: 3 },
          { sku: scarce, quantity: 2 },
        ],
        ttlMs: 60_000,
      });
      expect(await outcomeOf(reserving)).toBe('OutOfStock');
      expect((await stockOf(plenty)).available).toBe(5);
      expect((await stockOf(scarce)).available).toBe(1);
      expect(await get(`/warehouse/reservations?orderId=${orderId}`)).toEqual([]);
      // An unknown sku has nothing on hand.
      expect(
        await outcomeOf(
          ports.inventory.reserve({
            idempotencyKey: `${orderId}/reserve-unknown`,
            orderId,
            lines: [{ sku: unique('never-stocked'), quantity: 1 }],
            ttlMs: 60_000,
          }),
        ),
      ).toBe('OutOfStock');
    });

    it('reserves once when the same step is retried with its idempotency key', async () => {
      const sku = unique('sku');
      const orderId = unique('order');
      await put(`/warehouse/stock/${sku}`, { onHand: 10 });
      const request = {
        idempotencyKey: `${orderId}/reserve`,
        orderId,
        lines: [{ sku, quantity: 4 }],
        ttlMs: 60_000,
      };
      const first = await ports.inventory.reserve(request);
      const retried = await ports.inventory.reserve(request);
      expect(retried).toEqual(first);
      expect((await stockOf(sku)).reserved).toBe(4);
      expect(await get<unknown[]>(`/warehouse/reservations?orderId=${orderId}`)).toHaveLength(1);
    });

    it('refuses a change without an Idempotency-Key with a 400 problem', async () => {
      const response = await fetch(`${simulators.url}/warehouse/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId: 'o', lines: [{ sku: 's', quantity: 1 }], ttlMs: 1000 }),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({
        type: 'urn:simulators:idempotency-key-missing',
        status: 400,
      });
    });
  });

  describe('payments', () => {
    interface LedgerRow {
      kind: string;
      amountMinor: number;
      reference: string;
    }
    const ledgerOf = (orderId: string) => get<LedgerRow[]>(`/payments/ledger?orderId=${orderId}`);
    const authorization = (orderId: string, customerId = unique('customer')) => ({
      idempotencyKey: `${orderId}/authorize`,
      orderId,
      customerId,
      amountMinor: 12_50,
      currency: 'EUR',
      validityMs: 60_000,
    });

    it('authorizes once when the same step is retried: one ledger row', async () => {
      const orderId = unique('order');
      const request = authorization(orderId);
      const first = await ports.payment.authorize(request);
      const retried = await ports.payment.authorize(request);
      expect(retried).toEqual(first);
      expect(await ledgerOf(orderId)).toEqual([
        expect.objectContaining({
          kind: 'authorization',
          amountMinor: 12_50,
          reference: first.authorizationId,
        }),
      ]);
    });

    it('says PaymentDeclined for a declined card, and nothing reaches the ledger', async () => {
      const orderId = unique('order');
      const customerId = unique('declined-customer');
      await put('/payments/settings', { declineCustomers: [customerId] });
      try {
        expect(await outcomeOf(ports.payment.authorize(authorization(orderId, customerId)))).toBe(
          'PaymentDeclined',
        );
      } finally {
        await put('/payments/settings', {});
      }
      expect(await ledgerOf(orderId)).toEqual([]);
    });

    it('says AuthorizationExpired for a capture after a void, and charges nothing', async () => {
      const orderId = unique('order');
      const { authorizationId } = await ports.payment.authorize(authorization(orderId));
      await ports.payment.void({ idempotencyKey: `${orderId}/void`, authorizationId });
      await ports.payment.void({ idempotencyKey: `${orderId}/void-again`, authorizationId });
      expect(
        await outcomeOf(
          ports.payment.capture({
            idempotencyKey: `${orderId}/capture`,
            authorizationId,
            amountMinor: 12_50,
          }),
        ),
      ).toBe('AuthorizationExpired');
      expect((await ledgerOf(orderId)).map((row) => row.kind)).toEqual(['authorization', 'void']);
    });

    it('says AuthorizationExpired once the authorization lapsed; voiding it still succeeds', async () => {
      const orderId = unique('order');
      const { authorizationId } = await ports.payment.authorize({
        ...authorization(orderId),
        validityMs: 200,
      });
      await sleep(400);
      const capture = { idempotencyKey: `${orderId}/capture`, authorizationId, amountMinor: 100 };
      expect(await outcomeOf(ports.payment.capture(capture))).toBe('AuthorizationExpired');
      await ports.payment.void({ idempotencyKey: `${orderId}/void`, authorizationId });
      expect((await ledgerOf(orderId)).map((row) => row.kind)).toEqual(['authorization']);
    });

    it('charges once: a retried capture replays, a capture under another key is refused', async () => {
      const orderId = unique('order');
      const { authorizationId } = await ports.payment.authorize(authorization(orderId));
      const capture = { idempotencyKey: `${orderId}/capture`, authorizationId, amountMinor: 12_50 };
      const first = await ports.payment.capture(capture);
      expect(await ports.payment.capture(capture)).toEqual(first);
      const second = await ports.payment
        .capture({ ...capture, idempotencyKey: `${orderId}/capture-by-mistake` })
        .catch((e: unknown) => e);
      expect(second).toBeInstanceOf(HttpProblemError);
      expect(second).toMatchObject({ status: 409, type: 'urn:simulators:already-captured' });

      const { refundId } = await ports.payment.refund({
        idempotencyKey: `${orderId}/refund`,
        captureId: first.captureId,
        amountMinor: 12_50,
      });
      expect((await ledgerOf(orderId)).map((row) => [row.kind, row.reference])).toEqual([
        ['authorization', authorizationId],
        ['capture', first.captureId],
        ['refund', refundId],
      ]);
    });
  });

  describe('fulfillment', () => {
    it('says ShipmentAlreadyDispatched when cancelling a parcel that has left', async () => {
      const orderId = unique('order');
      const { shipmentId } = await ports.fulfillment.createShipment({
        idempotencyKey: `${orderId}/ship`,
        orderId,
        lines: [{ sku: 'sku-1', quantity: 1 }],
      });
      expect(
        (await post(`/fulfillment/shipments/${shipmentId}/dispatch`, `${orderId}/dispatch`)).status,
      ).toBe(200);
      expect(
        await outcomeOf(
          ports.fulfillment.cancelShipment({ idempotencyKey: `${orderId}/cancel`, shipmentId }),
        ),
      ).toBe('ShipmentAlreadyDispatched');
    });

    it('cancels a shipment that has not left, and cancelling again succeeds', async () => {
      const orderId = unique('order');
      const ship = {
        idempotencyKey: `${orderId}/ship`,
        orderId,
        lines: [{ sku: 'sku-1', quantity: 2 }],
      };
      const { shipmentId } = await ports.fulfillment.createShipment(ship);
      expect(await ports.fulfillment.createShipment(ship)).toEqual({ shipmentId });
      await ports.fulfillment.cancelShipment({ idempotencyKey: `${orderId}/cancel`, shipmentId });
      await ports.fulfillment.cancelShipment({ idempotencyKey: `${orderId}/cancel-2`, shipmentId });
      expect(await get(`/fulfillment/shipments?orderId=${orderId}`)).toEqual([
        expect.objectContaining({ shipmentId, state: 'cancelled' }),
      ]);
    });
  });

  describe('notifications', () => {
    it('tells a customer once per idempotency key, and says when a call was a repeat', async () => {
      const orderId = unique('order');
      const customerId = unique('customer');
      const confirmed = {
        idempotencyKey: `${orderId}/notify-confirmed`,
        orderId,
        customerId,
        kind: 'confirmed' as const,
        message: 'Your order is confirmed.',
      };
      expect(await ports.notifications.notify(confirmed)).toEqual({ duplicate: false });
      expect(await ports.notifications.notify(confirmed)).toEqual({ duplicate: true });
      await ports.notifications.notify({
        ...confirmed,
        idempotencyKey: `${orderId}/notify-shipped`,
        kind: 'shipped',
        message: 'Your order is on its way.',
      });
      const told = await get<{ kind: string }[]>(`/notifications?customerId=${customerId}`);
      expect(told.map((n) => n.kind)).toEqual(['confirmed', 'shipped']);
    });
  });

  describe('fraud', () => {
    const screening = (orderId: string, customerId = unique('customer')) => ({
      idempotencyKey: `${orderId}/screen`,
      orderId,
      customerId,
      segment: 'standard',
      totalMinor: 42_00,
      currency: 'EUR',
    });

    afterEach(async () => {
      await put('/fraud/settings', {});
    });

    it('approves an ordinary order with a low score, the same verdict on a retry', async () => {
      const request = screening(unique('order'));
      const verdict = await ports.fraud.screen(request);
      expect(verdict.decision).toBe('approve');
      expect(verdict.score).toBeLessThan(30);
      expect(await ports.fraud.screen(request)).toEqual(verdict);
    });

    it('rejects a customer the provider distrusts', async () => {
      const customerId = unique('fraudster');
      await put('/fraud/settings', { rejectCustomers: [customerId] });
      const verdict = await ports.fraud.screen(screening(unique('order'), customerId));
      expect(verdict).toMatchObject({ decision: 'reject', score: 100 });
    });

    it('is slow for real when its latency is dialled up, and the activity can abort the wait', async () => {
      await put('/fraud/settings', { latencyMs: 1_500 });
      const started = Date.now();
      const verdict = await ports.fraud.screen(screening(unique('order')));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(verdict.decision).toBe('approve');

      const controller = new AbortController();
      const cancelled = new Error('activity cancelled');
      setTimeout(() => controller.abort(cancelled), 200);
      const abortedAt = Date.now();
      const error = await ports.fraud
        .screen(screening(unique('order')), controller.signal)
        .catch((e: unknown) => e);
      expect(error).toBe(cancelled);
      expect(Date.now() - abortedAt).toBeLessThan(1_000);
    });
  });
});
