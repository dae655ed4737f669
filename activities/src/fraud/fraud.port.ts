/** The fraud provider as the platform needs it: screen an order, get a verdict. */
export interface FraudScreeningRequest {
  idempotencyKey: string;
  orderId: string;
  customerId: string;
  segment: string;
  totalMinor: number;
  currency: string;
}

export interface FraudVerdict {
  /**
   * `pending`: the provider queued the order and will send its decision later, which reaches
   * the workflow as a `fraudDecision` signal (an asynchronous provider, or one with a backlog).
   */
  decision: 'approve' | 'reject' | 'review' | 'pending';
  /** 0 (no risk) to 100. */
  score: number;
  reference: string;
}

export interface FraudPort {
  /** May take long (the provider's queue); `signal` aborts the call when the activity is cancelled. */
  screen(request: FraudScreeningRequest, signal?: AbortSignal): Promise<FraudVerdict>;
}
