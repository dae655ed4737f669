/**
 * Errors the downstream adapters raise for permanent business outcomes. `portActivity` turns each
 * into a non-retryable Temporal failure whose type is the domain's name for it; anything else is
 * transient and retried.
 */
import type { BusinessFailureType } from '@order-platform/domain';

export class BusinessOutcomeError extends Error {
  constructor(
    readonly type: BusinessFailureType,
    message: string,
  ) {
    super(message);
    this.name = `${type}Error`;
  }
}

export const outOfStock = (message: string) => new BusinessOutcomeError('OutOfStock', message);
export const reservationExpired = (message: string) =>
  new BusinessOutcomeError('ReservationExpired', message);
export const paymentDeclined = (message: string) =>
  new BusinessOutcomeError('PaymentDeclined', message);
export const authorizationExpired = (message: string) =>
  new BusinessOutcomeError('AuthorizationExpired', message);
export const shipmentAlreadyDispatched = (message: string) =>
  new BusinessOutcomeError('ShipmentAlreadyDispatched', message);
