/**
 * MonolithPort over the monolith's HTTP API: `POST /orders/{id}/fraud-decision`,
 * `/stock-reservation`, `/payment-authorization`, `/shipment` and `/notifications`. A 409 means
 * the order is not waiting for that (the monolith decided itself, or the order moved on): not an
 * error to retry, an answer. A stage the platform failed is told on that stage's path
 * (`outcome: 'failed'`, `state: 'failed'` for the shipment) with the reason. The monolith answers a repeated call as the first.
 */
import { HttpProblemError, JsonHttpClient } from '../http-client';
import type { FraudDecisionHandOver, MonolithPort, StageOutcomeHandOver } from './monolith.port';

/** The longest reason the monolith keeps. */
const MAX_REASON_LENGTH = 200;

const STAGE_PATHS = { inventory: 'stock-reservation', payment: 'payment-authorization' } as const;

export class MonolithHttpAdapter implements MonolithPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string) {
    this.http = new JsonHttpClient(baseUrl);
  }

  async decideFraud(request: FraudDecisionHandOver): Promise<{ accepted: boolean }> {
    const told = await this.tell(request.orderId, 'fraud-decision', {
      decision: request.decision,
      reference: request.reference,
    });
    return { accepted: told.accepted };
  }

  recordOutcome(request: StageOutcomeHandOver) {
    const { orderId } = request;
    if ('outcome' in request && request.outcome === 'failed') {
      // On the stage's own path; the reason cut to what the monolith keeps (200 characters).
      const reason = request.reason.slice(0, MAX_REASON_LENGTH);
      if (request.stage === 'fulfilment')
        return this.tell(orderId, 'shipment', { state: 'failed', reason });
      return this.tell(orderId, STAGE_PATHS[request.stage], { outcome: 'failed', reason });
    }
    switch (request.stage) {
      case 'inventory':
        return this.tell(
          orderId,
          'stock-reservation',
          'outcome' in request
            ? { outcome: request.outcome }
            : { reservationId: request.reservationId },
        );
      case 'payment':
        return this.tell(
          orderId,
          'payment-authorization',
          'outcome' in request
            ? { outcome: request.outcome }
            : { paymentReference: request.paymentReference, amountCents: request.amountMinor },
        );
      case 'fulfilment':
        return this.tell(orderId, 'shipment', {
          shipmentId: request.shipmentId,
          state: request.state,
        });
      case 'notification':
        return this.tell(orderId, 'notifications', {
          kind: request.kind,
          reference: request.reference,
        });
    }
  }

  private async tell(
    orderId: string,
    action: string,
    body: unknown,
  ): Promise<{ accepted: boolean; reason?: string }> {
    try {
      await this.http.post(`/orders/${encodeURIComponent(orderId)}/${action}`, body);
      return { accepted: true };
    } catch (error) {
      if (error instanceof HttpProblemError && error.status === 409)
        return { accepted: false, reason: error.message };
      throw error;
    }
  }
}
