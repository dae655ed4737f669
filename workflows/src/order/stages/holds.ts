/**
 * The holds on stock and money: reserving stock (and releasing it), authorizing the payment
 * (and voiding it). Each hold pushes the compensation that undoes it onto the saga; each may be
 * taken again after a lapse, as often as the policy allows. A stock hold lapses on its own
 * clock, so the order's waits (`waitForFact`) release a lapsed hold on the spot and wait on.
 */
import { ActivityFailure } from '@temporalio/workflow';
import type { StagePolicy } from '@order-platform/domain';
import type { FactName, OrderRun } from '../run-context';
import { undoAuthorization, undoReservation } from '../undo-steps';
import { waitForFactOrDeadline } from '../wait';
import { businessOutcome, OrderEnds } from './ending';

/**
 * The order's wait for a fact or a stage deadline ('deadline'). A cancel request ends the
 * wait, unless the awaited fact (`awaited`) arrived before it: facts apply in arrival order. A
 * stock hold whose TTL runs out during the wait is released and the wait goes on.
 */
export async function waitForFact<T>(
  run: OrderRun,
  fact: () => T | undefined,
  deadline: number,
  awaited?: FactName,
): Promise<T | 'deadline'> {
  const { recorder, facts } = run;
  const arrivedBeforeCancel = () =>
    run.enforcesPointOfNoReturn &&
    awaited !== undefined &&
    (facts.arrival[awaited] ?? Infinity) < (facts.arrival.cancel ?? Infinity);
  for (;;) {
    const stock = recorder.commitments.stock;
    const holdExpiry = stock?.state === 'reserved' ? Date.parse(stock.expiresAt!) : null;
    const until = Math.min(deadline, holdExpiry ?? Infinity);
    const outcome = await waitForFactOrDeadline(() => {
      if (facts.cancel === undefined) return fact();
      const value = fact();
      return value !== undefined && arrivedBeforeCancel() ? value : CANCEL_REQUESTED;
    }, until);
    if (outcome === 'deadline' || outcome === CANCEL_REQUESTED || !run.enforcesPointOfNoReturn)
      run.ensureNotCancelled();
    if (outcome !== 'deadline') return outcome as T;
    if (holdExpiry !== null && Date.now() >= holdExpiry) {
      await releaseStock(run, 'ReservationExpired');
      continue;
    }
    return 'deadline';
  }
}

const CANCEL_REQUESTED = Symbol('cancel requested');

export async function reserveStock(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { order, recorder, taken } = run;
  // The first reservation plus the re-reservations the policy allows after a lapse.
  if (taken.reservations > policy.maxReReservations)
    throw new OrderEnds('Cancelled', 'ReservationExpired');
  taken.reservations += 1;
  await recorder.record({
    stage: 'InventoryHoldPending',
    deadline: Date.now() + policy.reservationTtlMs,
  });
  const reservation = await businessOutcome(() =>
    run.downstreams.inventory.call.reserveInventory({
      step: `reserve-inventory-${taken.reservations}`,
      orderId: order.orderId,
      lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      ttlMs: policy.reservationTtlMs,
    }),
  );
  recorder.commitments.stock = {
    reservationId: reservation.reservationId,
    state: 'reserved',
    expiresAt: reservation.expiresAt,
  };
  run.saga.push({ name: 'release-inventory', run: () => releaseStock(run, 'Compensation') });
  await recorder.record({ events: [{ type: 'InventoryReserved', payload: { ...reservation } }] });
  run.ensureNotCancelled();
}

/** Releases the stock held (a compensation, a lapse, or ahead of a long review). */
export async function releaseStock(run: OrderRun, reason: string): Promise<void> {
  const { recorder } = run;
  const stock = recorder.commitments.stock;
  if (!stock) return;
  run.saga.drop('release-inventory');
  await undoReservation(
    run,
    stock.reservationId,
    () => reason,
    () => (recorder.commitments.stock = undefined),
  ).run();
}

export async function authorizePayment(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { order, recorder, taken } = run;
  if (taken.authorizations > policy.maxReauthorizations)
    throw new OrderEnds('Cancelled', 'AuthorizationExpired');
  taken.authorizations += 1;
  await recorder.record({
    stage: 'PaymentAuthorizationPending',
    deadline: Date.now() + policy.paymentSlaMs,
  });
  let granted;
  try {
    granted = await businessOutcome(() =>
      run.downstreams.authorization(policy.paymentSlaMs)({
        step: `authorize-payment-${taken.authorizations}`,
        orderId: order.orderId,
        customerId: order.customerId,
        amountMinor: recorder.totalMinor,
        currency: order.currency,
        validityMs: policy.authorizationValidityMs,
      }),
    );
  } catch (error) {
    // Not a decline: the payment SLA ran out with the gateway still failing or silent.
    if (error instanceof ActivityFailure)
      throw new OrderEnds('Cancelled', 'PaymentAuthorizationTimedOut');
    throw error;
  }
  const { authorizationId, expiresAt } = granted;
  recorder.commitments.payment = {
    authorizationId,
    state: 'authorized',
    amountMinor: recorder.totalMinor,
    currency: order.currency,
    expiresAt,
  };
  run.saga.push({ name: 'void-authorization', run: () => voidPayment(run, 'PaymentVoided') });
  await recorder.record({
    events: [
      {
        type: 'PaymentAuthorized',
        payload: { authorizationId, expiresAt, amountMinor: recorder.totalMinor },
      },
    ],
  });
  run.ensureNotCancelled();
}

/** Voids the authorization held (a compensation, or one that expired) and says which. */
export async function voidPayment(
  run: OrderRun,
  type: 'PaymentVoided' | 'PaymentAuthorizationExpired',
): Promise<void> {
  const { recorder } = run;
  const payment = recorder.commitments.payment;
  if (!payment) return;
  const { authorizationId } = payment;
  run.saga.drop('void-authorization');
  await undoAuthorization(
    run,
    authorizationId,
    () => (recorder.commitments.payment = undefined),
    type,
  ).run();
}
