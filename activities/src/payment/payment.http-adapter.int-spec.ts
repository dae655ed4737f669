/**
 * The payment gateway over HTTP (PaymentPort) against its simulator, started as a process from its
 * entry point: what the saga relies on, said in business terms.
 */
import { HttpProblemError } from '../http-client';
import { outcomeOf, sleep, unique, useSimulators } from '../testing/simulators';
import { PaymentHttpAdapter } from './payment.http-adapter';
import type { PaymentPort } from './payment.port';

describe('the payment HTTP adapter against its simulator', () => {
  const simulators = useSimulators();
  const { get, put } = simulators;
  let payment: PaymentPort;

  beforeAll(() => {
    payment = new PaymentHttpAdapter(simulators.url);
  });

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
    const first = await payment.authorize(request);
    const retried = await payment.authorize(request);
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
      expect(await outcomeOf(payment.authorize(authorization(orderId, customerId)))).toBe(
        'PaymentDeclined',
      );
    } finally {
      await put('/payments/settings', {});
    }
    expect(await ledgerOf(orderId)).toEqual([]);
  });

  it('says AuthorizationExpired for a capture after a void, and charges nothing', async () => {
    const orderId = unique('order');
    const { authorizationId } = await payment.authorize(authorization(orderId));
    await payment.void({ idempotencyKey: `${orderId}/void`, authorizationId });
    await payment.void({ idempotencyKey: `${orderId}/void-again`, authorizationId });
    expect(
      await outcomeOf(
        payment.capture({
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
    const { authorizationId } = await payment.authorize({
      ...authorization(orderId),
      validityMs: 200,
    });
    await sleep(400);
    const capture = { idempotencyKey: `${orderId}/capture`, authorizationId, amountMinor: 100 };
    expect(await outcomeOf(payment.capture(capture))).toBe('AuthorizationExpired');
    await payment.void({ idempotencyKey: `${orderId}/void`, authorizationId });
    expect((await ledgerOf(orderId)).map((row) => row.kind)).toEqual(['authorization']);
  });

  it('charges once: a retried capture replays, a capture under another key is refused', async () => {
    const orderId = unique('order');
    const { authorizationId } = await payment.authorize(authorization(orderId));
    const capture = { idempotencyKey: `${orderId}/capture`, authorizationId, amountMinor: 12_50 };
    const first = await payment.capture(capture);
    expect(await payment.capture(capture)).toEqual(first);
    const second = await payment
      .capture({ ...capture, idempotencyKey: `${orderId}/capture-by-mistake` })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(HttpProblemError);
    expect(second).toMatchObject({ status: 409, type: 'urn:simulators:already-captured' });

    const { refundId } = await payment.refund({
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
