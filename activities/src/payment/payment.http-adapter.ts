/**
 * PaymentPort over HTTP: the payment gateway. 402 `payment-declined` is PaymentDeclined and 410
 * `authorization-expired` (expired or voided) is AuthorizationExpired; any other error is thrown
 * as it is (asActivity: a 4xx refusal is DownstreamRejected, not retried; a 5xx or a network
 * error is retried). A 409 `already-captured` is left
 * as an error on purpose: it means a second charge was attempted under another key, a bug.
 */
import { authorizationExpired, paymentDeclined } from '../errors';
import { type HttpClientOptions, JsonHttpClient, mapProblems } from '../http-client';
import type { Authorization, PaymentPort } from './payment.port';

const PAYMENT_DECLINED = 'urn:simulators:payment-declined';
const AUTHORIZATION_EXPIRED = 'urn:simulators:authorization-expired';

const path = (kind: 'authorizations' | 'captures', id: string, action: string): string =>
  `/payments/${kind}/${encodeURIComponent(id)}/${action}`;

export class PaymentHttpAdapter implements PaymentPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.http = new JsonHttpClient(baseUrl, options);
  }

  async authorize(request: {
    idempotencyKey: string;
    orderId: string;
    customerId: string;
    amountMinor: number;
    currency: string;
    validityMs: number;
  }): Promise<Authorization> {
    const { idempotencyKey, ...authorization } = request;
    const authorized = await this.http
      .post<Authorization>('/payments/authorizations', authorization, { idempotencyKey })
      .catch(mapProblems({ [PAYMENT_DECLINED]: paymentDeclined }));
    return { authorizationId: authorized.authorizationId, expiresAt: authorized.expiresAt };
  }

  async void(request: { idempotencyKey: string; authorizationId: string }): Promise<void> {
    await this.http.post(
      path('authorizations', request.authorizationId, 'void'),
      {},
      { idempotencyKey: request.idempotencyKey },
    );
  }

  async capture(request: {
    idempotencyKey: string;
    authorizationId: string;
    amountMinor: number;
  }): Promise<{ captureId: string }> {
    const { captureId } = await this.http
      .post<{ captureId: string }>(
        path('authorizations', request.authorizationId, 'capture'),
        { amountMinor: request.amountMinor },
        { idempotencyKey: request.idempotencyKey },
      )
      .catch(mapProblems({ [AUTHORIZATION_EXPIRED]: authorizationExpired }));
    return { captureId };
  }

  async refund(request: {
    idempotencyKey: string;
    captureId: string;
    amountMinor: number;
  }): Promise<{ refundId: string }> {
    const { refundId } = await this.http.post<{ refundId: string }>(
      path('captures', request.captureId, 'refund'),
      { amountMinor: request.amountMinor },
      { idempotencyKey: request.idempotencyKey },
    );
    return { refundId };
  }
}
