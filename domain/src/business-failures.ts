/**
 * Permanent business outcomes. Activities raise them as non-retryable Temporal failures with
 * these types; the workflow turns them into the saga's next step instead of retrying.
 */
export const BUSINESS_FAILURES = {
  OutOfStock: 'OutOfStock',
  ReservationExpired: 'ReservationExpired',
  PaymentDeclined: 'PaymentDeclined',
  AuthorizationExpired: 'AuthorizationExpired',
  ShipmentAlreadyDispatched: 'ShipmentAlreadyDispatched',
} as const;
export type BusinessFailureType = keyof typeof BUSINESS_FAILURES;

export const isBusinessFailureType = (
  type: string | undefined | null,
): type is BusinessFailureType => type !== undefined && type !== null && type in BUSINESS_FAILURES;

/**
 * The failure type of a downstream call the service refused for good: it answered 4xx (other
 * than 408 Request Timeout, 409 Conflict and 429 Too Many Requests, which may pass). Retrying
 * the same request cannot change the answer, so it is non-retryable; a compensation that ends
 * so stops and waits for an operator (docs/architecture.md#saga-and-side-effects).
 */
export const DOWNSTREAM_REJECTED = 'DownstreamRejected';

/** HTTP statuses that mean the request itself will never succeed as sent. */
export const isPermanentHttpStatus = (status: number): boolean =>
  status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429;
