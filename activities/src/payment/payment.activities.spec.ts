import { authorizationExpired, paymentDeclined } from '../errors';
import { activityOf, failureOf } from '../testing/activity-environment';
import { createPaymentActivities } from './payment.activities';
import type { PaymentPort } from './payment.port';

function gateway(overrides: Partial<PaymentPort> = {}) {
  const calls: [string, unknown][] = [];
  const port: PaymentPort = {
    authorize: async (request) => {
      calls.push(['authorize', request]);
      return { authorizationId: 'auth-1', expiresAt: '2026-11-30T10:00:00.000Z' };
    },
    void: async (request) => void calls.push(['void', request]),
    capture: async (request) => {
      calls.push(['capture', request]);
      return { captureId: 'cap-1' };
    },
    refund: async (request) => {
      calls.push(['refund', request]);
      return { refundId: 'ref-1' };
    },
    ...overrides,
  };
  return { calls, port };
}

describe('taking payment for an order', () => {
  it('authorizes, captures, voids and refunds under the keys of the workflow’s steps', async () => {
    const { calls, port } = gateway();
    const payment = createPaymentActivities({ payment: port });
    const environment = activityOf('order-o-1');
    await environment.run(payment.authorizePayment, {
      step: 'authorize',
      orderId: 'o-1',
      customerId: 'c-1',
      amountMinor: 50_00,
      currency: 'EUR',
      validityMs: 604_800_000,
    });
    expect(
      await environment.run(payment.capturePayment, {
        step: 'capture',
        authorizationId: 'auth-1',
        amountMinor: 50_00,
      }),
    ).toEqual({ captureId: 'cap-1' });
    await environment.run(payment.voidAuthorization, { step: 'void-1', authorizationId: 'auth-1' });
    await environment.run(payment.refundCapture, {
      step: 'refund',
      captureId: 'cap-1',
      amountMinor: 50_00,
    });
    expect(calls).toEqual([
      [
        'authorize',
        {
          idempotencyKey: 'order-o-1/authorize',
          orderId: 'o-1',
          customerId: 'c-1',
          amountMinor: 50_00,
          currency: 'EUR',
          validityMs: 604_800_000,
        },
      ],
      [
        'capture',
        { idempotencyKey: 'order-o-1/capture', authorizationId: 'auth-1', amountMinor: 50_00 },
      ],
      ['void', { idempotencyKey: 'order-o-1/void-1', authorizationId: 'auth-1' }],
      ['refund', { idempotencyKey: 'order-o-1/refund', captureId: 'cap-1', amountMinor: 50_00 }],
    ]);
  });

  it('says PaymentDeclined and AuthorizationExpired as outcomes the saga acts on', async () => {
    const { port } = gateway({
      authorize: async () => {
        throw paymentDeclined('card declined');
      },
      capture: async () => {
        throw authorizationExpired('authorization no longer valid');
      },
    });
    const payment = createPaymentActivities({ payment: port });
    const authorizing = activityOf().run(payment.authorizePayment, {
      step: 'authorize',
      orderId: 'o-1',
      customerId: 'c-1',
      amountMinor: 50_00,
      currency: 'EUR',
      validityMs: 1_000,
    });
    expect(await failureOf(authorizing)).toMatchObject({
      type: 'PaymentDeclined',
      nonRetryable: true,
    });
    const capturing = activityOf().run(payment.capturePayment, {
      step: 'capture',
      authorizationId: 'auth-1',
      amountMinor: 50_00,
    });
    expect(await failureOf(capturing)).toMatchObject({
      type: 'AuthorizationExpired',
      nonRetryable: true,
    });
  });

  it('retries a gateway that does not answer', async () => {
    const { port } = gateway({
      void: async () => {
        throw new Error('socket hang up');
      },
    });
    const payment = createPaymentActivities({ payment: port });
    const voiding = activityOf().run(payment.voidAuthorization, {
      step: 'void-1',
      authorizationId: 'auth-1',
    });
    expect(await failureOf(voiding)).toMatchObject({
      type: 'TransientFailure',
      nonRetryable: false,
    });
  });
});
