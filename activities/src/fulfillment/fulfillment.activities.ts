/** The fulfillment context's activities, run on the fulfillment bulkhead: ship, or take it back. */
import { ApplicationFailure } from '@temporalio/common';
import { stepActivity } from '../port-activity';
import type { FulfillmentPort, ShippingAddressSource } from './fulfillment.port';

export function createFulfillmentActivities(ports: {
  fulfillment: FulfillmentPort;
  shippingAddresses: ShippingAddressSource;
}) {
  const { fulfillment, shippingAddresses } = ports;
  return {
    // The workflow names the order; the address is read here, so it never enters a history.
    createShipment: stepActivity<
      Parameters<FulfillmentPort['createShipment']>[0],
      { shipmentId: string }
    >(async (request) => {
      const personal = await shippingAddresses.find(request.orderId);
      if (personal.state === 'erased') {
        throw ApplicationFailure.nonRetryable(
          `order ${request.orderId}: its shipping address was erased, nothing to ship to`,
          'PersonalDataErased',
        );
      }
      return fulfillment.createShipment(
        personal.state === 'held' ? { ...request, shipTo: personal.shippingAddress } : request,
      );
    }),
    cancelShipment: stepActivity(fulfillment.cancelShipment.bind(fulfillment)),
  };
}

export type FulfillmentActivities = ReturnType<typeof createFulfillmentActivities>;
