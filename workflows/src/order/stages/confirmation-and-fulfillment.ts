/**
 * From the holds to the customer's door: the three holds taken in the order the policy gives
 * until all three are held at once, the stock allocated (the order is confirmed), the shipment
 * handed over to fulfilment while the authorization stays valid (renewed when it lapses), the
 * payment captured when the parcel leaves, and the delivery awaited.
 */
import type { HoldStep, StagePolicy } from '@order-platform/domain';
import type { OrderRun } from '../run-context';
import type { Compensation } from '../saga';
import { undoShipment } from '../undo-steps';
import { waitForFactOrDeadline } from '../wait';
import { businessOutcome, end, endingOf, OrderEnds } from './ending';
import { decideFraud } from './fraud-decision';
import { authorizePayment, releaseStock, reserveStock, voidPayment, waitForFact } from './holds';

/** Takes the holds, then allocates the stock: a hold that lapsed meanwhile is taken again. */
export async function confirm(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { recorder } = run;
  for (;;) {
    await takeHolds(run, policy);
    const stock = recorder.commitments.stock!;
    try {
      await businessOutcome(() =>
        run.downstreams.inventory.call.allocateInventory({
          step: `allocate-inventory-${stock.reservationId}`,
          reservationId: stock.reservationId,
        }),
      );
      break;
    } catch (error) {
      if (!(error instanceof OrderEnds && error.reason === 'ReservationExpired')) throw error;
      // The hold lapsed while the other holds were taken: release it and take it again.
      await releaseStock(run, 'ReservationExpired');
    }
  }
  recorder.commitments.stock = {
    ...recorder.commitments.stock!,
    state: 'allocated',
    expiresAt: undefined,
  };
  await recorder.record({
    stage: 'Confirmed',
    events: [
      {
        type: 'InventoryAllocated',
        payload: { reservationId: recorder.commitments.stock.reservationId },
      },
      { type: 'OrderConfirmed' },
    ],
  });
  await run.notify('confirmed');
}

/** Takes the holds in policy order until all three are held at once. */
async function takeHolds(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { commitments } = run.recorder;
  const holds = (step: HoldStep): boolean =>
    step === 'fraud'
      ? commitments.fraud !== undefined
      : step === 'inventory'
        ? commitments.stock !== undefined
        : commitments.payment !== undefined;
  for (
    let next = policy.stepOrder.find((s) => !holds(s));
    next;
    next = policy.stepOrder.find((s) => !holds(s))
  ) {
    run.ensureNotCancelled();
    if (next === 'fraud') await decideFraud(run, policy);
    else if (next === 'inventory') await reserveStock(run, policy);
    else await authorizePayment(run, policy);
  }
}

/** The compensation of a shipment: cancelled at the warehouse, unless the parcel has left. */
export function shipmentCancellation(run: OrderRun, shipmentId: string): Compensation {
  return undoShipment(run, shipmentId, () => (run.recorder.commitments.shipment = undefined));
}

export async function handOverToFulfilment(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { order, recorder, downstreams } = run;
  const { shipmentId } = await businessOutcome(() =>
    downstreams.fulfillment.call.createShipment({
      step: 'create-shipment',
      orderId: order.orderId,
      lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
    }),
  );
  recorder.commitments.shipment = { shipmentId, state: 'requested' };
  await recorder.record({ events: [{ type: 'ShipmentCreated', payload: { shipmentId } }] });
  run.saga.push(shipmentCancellation(run, shipmentId));
  // Fulfilment may take as long as the authorization stays valid, then it is renewed once.
  for (;;) {
    const authorizationExpiry = Date.parse(recorder.commitments.payment!.expiresAt!);
    await recorder.record({ stage: 'ReadyForFulfillment', deadline: authorizationExpiry });
    const dispatched = await waitForFact(
      run,
      () => (run.facts.dispatched ? true : undefined),
      authorizationExpiry,
      'dispatched',
    );
    if (dispatched === true) {
      if (run.enforcesPointOfNoReturn) await passPointOfNoReturn(run);
      return;
    }
    await voidPayment(run, 'PaymentAuthorizationExpired');
    await authorizePayment(run, policy);
  }
}

/**
 * The parcel left: from now on a cancel is refused (the validator reads the same facts), and
 * every status read says so before the capture, however long that takes.
 */
async function passPointOfNoReturn(run: OrderRun): Promise<void> {
  const { recorder } = run;
  recorder.commitments.shipment = { ...recorder.commitments.shipment!, state: 'dispatched' };
  await recorder.record({});
}

/** The parcel left: the payment is captured, and the delivery window starts. */
export async function ship(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { recorder, saga } = run;
  const payment = recorder.commitments.payment!;
  // Money starts moving: a cancel arriving now is refused, never accepted and ignored.
  run.facts.capturing = true;
  const { captureId } = await run.downstreams.payment.call.capturePayment({
    step: `capture-payment-${payment.authorizationId}`,
    authorizationId: payment.authorizationId,
    amountMinor: payment.amountMinor,
  });
  // Past the point of no return: nothing is compensated any more, returns are another process.
  saga.drop('void-authorization');
  saga.drop('cancel-shipment');
  saga.drop('release-inventory');
  run.facts.capture = { captureId, amountMinor: payment.amountMinor };
  recorder.commitments.payment = { ...payment, state: 'captured' };
  recorder.commitments.shipment = { ...recorder.commitments.shipment!, state: 'dispatched' };
  await recorder.record({
    stage: 'Shipped',
    deadline: Date.now() + policy.deliveryWindowMs,
    events: [
      { type: 'OrderShipped' },
      { type: 'PaymentCaptured', payload: { captureId, amountMinor: payment.amountMinor } },
    ],
  });
  await run.notify('shipped');
}

/** Waits for the delivery; past the delivery window the order is flagged, and waits on. */
export async function deliver(run: OrderRun): Promise<void> {
  const { recorder, facts } = run;
  const delivered = () => (facts.delivered ? true : undefined);
  if ((await waitForFactOrDeadline(delivered, recorder.stageDeadline)) === 'deadline') {
    await recorder.record({
      needsAttention: 'DeliveryOverdue',
      events: [{ type: 'DeliveryOverdue' }],
    });
    await waitForFactOrDeadline(delivered, null);
  }
  recorder.commitments.shipment = { ...recorder.commitments.shipment!, state: 'delivered' };
  await recorder.record({
    stage: 'Delivered',
    needsAttention: '',
    events: [{ type: 'OrderDelivered' }],
  });
  run.returns?.delivered();
  await run.notify('delivered');
}

/**
 * A cancel that the parcel overtook (stages/ending.ts): the order goes on as shipped, captured
 * once; whatever ends it from here ends it as it would have ended a shipped order.
 */
export async function continueAsShipped(run: OrderRun, policy: StagePolicy): Promise<void> {
  try {
    await ship(run, policy);
    await deliver(run);
  } catch (error) {
    await end(run, endingOf(error));
  }
}
