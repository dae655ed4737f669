/**
 * The payment gateway: an authorization holds an amount on the card until it expires; a capture
 * takes it; a void releases it; a refund returns a capture. Every call is idempotent by key.
 */
export interface Authorization {
  authorizationId: string;
  expiresAt: string;
}

export interface PaymentPort {
  /** @throws PaymentDeclinedError */
  authorize(request: {
    idempotencyKey: string;
    orderId: string;
    customerId: string;
    amountMinor: number;
    currency: string;
    validityMs: number;
  }): Promise<Authorization>;
  /** Voiding a voided or expired authorization succeeds. */
  void(request: { idempotencyKey: string; authorizationId: string }): Promise<void>;
  /** @throws AuthorizationExpiredError */
  capture(request: {
    idempotencyKey: string;
    authorizationId: string;
    amountMinor: number;
  }): Promise<{ captureId: string }>;
  refund(request: {
    idempotencyKey: string;
    captureId: string;
    amountMinor: number;
  }): Promise<{ refundId: string }>;
}
