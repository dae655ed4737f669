/**
 * Never CONFIRMED without holds: judged over what a customer read (or what the platform
 * projected for them to read) together with what the outside world held at that moment. A
 * customer who reads CONFIRMED or READY_TO_SHIP is owed a fraud approval, a live stock
 * reservation and a live payment authorization, all really held. A late order says why. And on
 * the lifecycle, an order is confirmed only after its fraud approval.
 */
import { type CustomerStatus } from '@order-platform/domain';
import {
  type AuthorizationFact,
  holdsMoney,
  holdsStock,
  PROMISING_STATUSES,
  type ReservationFact,
  type Violation,
} from './facts';

export interface StatusObservation {
  orderId: string;
  status: CustomerStatus;
  /** When it was read, for the report: a version, a time. */
  at?: string;
  /** Whether the fraud decision held was an approval; left out when the reader cannot see it. */
  fraudApproved?: boolean;
  reservations: readonly ReservationFact[];
  authorizations: readonly AuthorizationFact[];
  delayed?: boolean;
  delayReason?: string | null;
}

export function promiseBacked(observation: StatusObservation): Violation[] {
  const { orderId, status, at, fraudApproved, reservations, authorizations } = observation;
  if (!PROMISING_STATUSES.includes(status)) return [];
  const missing = [
    fraudApproved === false ? 'a fraud approval' : '',
    reservations.some(holdsStock) ? '' : 'a stock reservation',
    authorizations.some(holdsMoney) ? '' : 'a payment authorization',
  ].filter(Boolean);
  if (missing.length === 0) return [];
  return [
    {
      rule: 'promised-without-holds',
      orderId,
      reason: `read ${status}${at ? ` at ${at}` : ''} without ${missing.join(', ')}`,
    },
  ];
}

export function delayExplained({
  orderId,
  delayed,
  delayReason,
}: Pick<StatusObservation, 'orderId' | 'delayed' | 'delayReason'>): Violation[] {
  return delayed && !delayReason
    ? [{ rule: 'delayed-without-reason', orderId, reason: "read 'delayed' without a reason" }]
    : [];
}

/** The lifecycle event types of one order, in order: OrderConfirmed comes after FraudApproved. */
export function confirmedAfterFraudApproval(
  orderId: string,
  eventTypes: readonly string[],
): Violation[] {
  const confirmed = eventTypes.indexOf('OrderConfirmed');
  if (confirmed < 0) return [];
  const approved = eventTypes.indexOf('FraudApproved');
  if (approved >= 0 && approved < confirmed) return [];
  return [
    {
      rule: 'confirmed-before-fraud-approval',
      orderId,
      reason: `confirmed without a fraud approval first (${eventTypes.join(' → ')})`,
    },
  ];
}
