/**
 * Errors the downstream adapters raise for permanent business outcomes. The activities turn each
 * into a non-retryable Temporal failure whose type is the domain's name for it; anything else is
 * transient and retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  BUSINESS_FAILURES,
  type BusinessFailureType,
  FRAUD_CIRCUIT_OPEN,
} from '@order-platform/domain';
import { CircuitOpenError } from './fraud/circuit-breaker';
import { retryTransient } from './retry';

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

/**
 * Runs a port call: business outcomes become non-retryable failures the saga acts on; anything
 * else is transient and retries after a jittered delay.
 */
export async function asActivity<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BusinessOutcomeError) {
      throw ApplicationFailure.nonRetryable(error.message, BUSINESS_FAILURES[error.type]);
    }
    // Retrying into an open circuit is the retry storm it is there to stop.
    if (error instanceof CircuitOpenError) {
      throw ApplicationFailure.nonRetryable(error.message, FRAUD_CIRCUIT_OPEN);
    }
    return retryTransient(error);
  }
}
