/**
 * FraudPort over HTTP: `POST /fraud/screenings`. The provider may be slow (its queue), so this
 * adapter waits longer than the others by default; the activity's cancellation signal still
 * stops the wait at once. A failure is transient (retried; a 4xx refusal is DownstreamRejected,
 * which the workflow treats as a provider that keeps failing); the provider has no business
 * errors, its verdict is the answer.
 */
import { JsonHttpClient } from '../http-client';
import type { FraudPort, FraudScreeningRequest, FraudVerdict } from './fraud.port';

/** Long, because a slow provider is expected: the activity's own timeout is the real bound. */
export const FRAUD_TIMEOUT_MS = 120_000;

export class FraudHttpAdapter implements FraudPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string, options: { timeoutMs?: number } = {}) {
    this.http = new JsonHttpClient(baseUrl, { timeoutMs: options.timeoutMs ?? FRAUD_TIMEOUT_MS });
  }

  async screen(request: FraudScreeningRequest, signal?: AbortSignal): Promise<FraudVerdict> {
    const { idempotencyKey, ...screening } = request;
    const verdict = await this.http.post<FraudVerdict>('/fraud/screenings', screening, {
      idempotencyKey,
      signal,
    });
    return { decision: verdict.decision, score: verdict.score, reference: verdict.reference };
  }
}
