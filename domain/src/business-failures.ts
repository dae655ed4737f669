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
