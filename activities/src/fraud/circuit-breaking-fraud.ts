/** The fraud port behind a circuit breaker: while it is open, screenings fail fast. */
import type { CircuitBreaker } from './circuit-breaker';
import type { FraudPort, FraudScreeningRequest, FraudVerdict } from './fraud.port';

export class CircuitBreakingFraudPort implements FraudPort {
  constructor(
    private readonly provider: FraudPort,
    private readonly circuit: CircuitBreaker,
  ) {}

  screen(request: FraudScreeningRequest, signal?: AbortSignal): Promise<FraudVerdict> {
    return this.circuit.run(() => this.provider.screen(request, signal), signal);
  }
}
