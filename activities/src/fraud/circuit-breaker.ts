/**
 * A circuit breaker for the fraud provider. After `failureThreshold` calls in a row fail or run
 * slower than `slowCallMs`, it opens: screenings are refused at once for `openMs`, and the
 * workflow sends those orders to manual review instead of piling retries onto a provider that
 * is already behind. Then one trial call is let through (half-open): success closes it, failure
 * opens it again. The state is per worker process; each worker learns on its own.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  slowCallMs: number;
  openMs: number;
  now?: () => number;
  onChange?: (state: CircuitState, why: string) => void;
}

export class CircuitOpenError extends Error {
  constructor(retryInMs: number) {
    super(`the fraud provider's circuit is open (trial call in ${Math.ceil(retryInMs / 1000)} s)`);
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failuresInARow = 0;
  private openUntil = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get current(): CircuitState {
    return this.state;
  }

  /** Runs `call` unless the circuit is open. An aborted call says nothing about the provider. */
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const trial = this.admit();
    let judged = false;
    const judge = (ok: boolean, why: string): void => {
      if (judged) return;
      judged = true;
      if (ok) this.succeeded();
      else this.failed(why);
    };
    const slow = setTimeout(
      () => judge(false, `a call took over ${this.options.slowCallMs} ms`),
      this.options.slowCallMs,
    );
    try {
      const result = await call();
      judge(true, '');
      return result;
    } catch (error) {
      if (!signal?.aborted) judge(false, `a call failed: ${(error as Error).message}`);
      throw error;
    } finally {
      clearTimeout(slow);
      if (trial) this.trialInFlight = false;
    }
  }

  /** @returns whether this call is the half-open trial */
  private admit(): boolean {
    if (this.state === 'closed') return false;
    const now = this.now();
    if (this.state === 'open' && now >= this.openUntil) this.change('half-open', 'open time over');
    if (this.state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    throw new CircuitOpenError(Math.max(0, this.openUntil - now));
  }

  private succeeded(): void {
    this.failuresInARow = 0;
    if (this.state !== 'closed') this.change('closed', 'the trial call succeeded');
  }

  private failed(why: string): void {
    this.failuresInARow += 1;
    if (this.state === 'half-open' || this.failuresInARow >= this.options.failureThreshold) {
      this.openUntil = this.now() + this.options.openMs;
      if (this.state !== 'open') this.change('open', why);
    }
  }

  private change(state: CircuitState, why: string): void {
    this.state = state;
    this.options.onChange?.(state, why);
  }
}
