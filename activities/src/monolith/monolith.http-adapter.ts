/**
 * MonolithPort over the monolith's HTTP API: `POST /orders/{id}/fraud-decision`. A 409 means the
 * order is no longer waiting for a decision (the monolith decided itself, or an earlier attempt
 * of ours got through): not an error to retry, an answer.
 */
import { HttpProblemError, JsonHttpClient } from '../http-client';
import type { FraudDecisionHandOver, MonolithPort } from './monolith.port';

export class MonolithHttpAdapter implements MonolithPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string) {
    this.http = new JsonHttpClient(baseUrl);
  }

  async decideFraud(request: FraudDecisionHandOver): Promise<{ accepted: boolean }> {
    try {
      await this.http.post(`/orders/${encodeURIComponent(request.orderId)}/fraud-decision`, {
        decision: request.decision,
        reference: request.reference,
      });
      return { accepted: true };
    } catch (error) {
      if (error instanceof HttpProblemError && error.status === 409) return { accepted: false };
      throw error;
    }
  }
}
