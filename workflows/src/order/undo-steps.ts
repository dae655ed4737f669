/**
 * The undo steps of the three holds, shared by every workflow that takes them (the order
 * workflow's saga and expiries, the legacy order workflow's holds for a handed-over order): the
 * same activity call, idempotency step id and recorded event, so either workflow's histories
 * replay. Where the hold is kept differs (the order's commitments, the legacy workflow's own
 * holds): `forget` lets the caller drop it after the downstream undid it and before the event is
 * recorded, so the recorded view no longer shows it.
 */
import type { Bulkheads } from './activities';
import type { OrderRecorder } from './order-recorder';
import type { Compensation } from './saga';

/** What an undo step needs: the downstream calls and the order's recorder. */
export interface UndoContext {
  readonly downstreams: Bulkheads;
  readonly recorder: OrderRecorder;
}

const keep = (): void => undefined;

/** Cancels a shipment at the warehouse (`ShipmentAlreadyDispatched` if the parcel had left). */
export function undoShipment(
  { downstreams, recorder }: UndoContext,
  shipmentId: string,
  forget: () => void = keep,
): Compensation {
  return {
    name: 'cancel-shipment',
    run: async () => {
      await downstreams.fulfillment.compensate.cancelShipment({
        step: `cancel-shipment-${shipmentId}`,
        shipmentId,
      });
      forget();
      await recorder.record({ events: [{ type: 'ShipmentCancelled', payload: { shipmentId } }] });
    },
  };
}

/** Voids an authorization; `type` says why (a compensation, or one that expired). */
export function undoAuthorization(
  { downstreams, recorder }: UndoContext,
  authorizationId: string,
  forget: () => void = keep,
  type: 'PaymentVoided' | 'PaymentAuthorizationExpired' = 'PaymentVoided',
): Compensation {
  return {
    name: 'void-authorization',
    run: async () => {
      await downstreams.payment.compensate.voidAuthorization({
        step: `void-authorization-${authorizationId}`,
        authorizationId,
      });
      forget();
      await recorder.record({ events: [{ type, payload: { authorizationId } }] });
    },
  };
}

/** Releases a reservation; `reason` is read when it runs (why it is released may change). */
export function undoReservation(
  { downstreams, recorder }: UndoContext,
  reservationId: string,
  reason: () => string,
  forget: () => void = keep,
): Compensation {
  return {
    name: 'release-inventory',
    run: async () => {
      await downstreams.inventory.compensate.releaseInventory({
        step: `release-inventory-${reservationId}`,
        reservationId,
      });
      forget();
      await recorder.record({
        events: [{ type: 'InventoryReleased', payload: { reservationId, reason: reason() } }],
      });
    },
  };
}
