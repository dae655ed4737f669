/** The fulfilment service: it is asked to ship, and tells (by signal) when it dispatched. */
import type { ShippingAddress } from '@order-platform/domain';
import type { PersonalData } from '@order-platform/stores';
import type { StockLine } from '../inventory/inventory.port';

/**
 * Where the platform keeps orders' addresses apart from their workflows (order_personal_data):
 * the shipment is addressed from it, so no history carries the address.
 */
export interface ShippingAddressSource {
  find(orderId: string): Promise<PersonalData>;
}

export interface FulfillmentPort {
  createShipment(request: {
    idempotencyKey: string;
    orderId: string;
    lines: StockLine[];
    /** Where the parcel goes; absent for an order the platform holds no address of. */
    shipTo?: ShippingAddress;
  }): Promise<{ shipmentId: string }>;
  /**
   * Cancelling a cancelled shipment succeeds.
   * @throws ShipmentAlreadyDispatchedError once the parcel has left
   */
  cancelShipment(request: { idempotencyKey: string; shipmentId: string }): Promise<void>;
}
