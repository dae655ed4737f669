/** The fulfilment service: it is asked to ship, and tells (by signal) when it dispatched. */
import type { StockLine } from '../inventory/inventory.port';

export interface FulfillmentPort {
  createShipment(request: {
    idempotencyKey: string;
    orderId: string;
    lines: StockLine[];
  }): Promise<{ shipmentId: string }>;
  /**
   * Cancelling a cancelled shipment succeeds.
   * @throws ShipmentAlreadyDispatchedError once the parcel has left
   */
  cancelShipment(request: { idempotencyKey: string; shipmentId: string }): Promise<void>;
}
