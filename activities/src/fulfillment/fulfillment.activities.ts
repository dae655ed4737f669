/** The fulfillment context's activities, run on the fulfillment bulkhead: ship, or take it back. */
import { stepActivity } from '../port-activity';
import type { FulfillmentPort } from './fulfillment.port';

export function createFulfillmentActivities(ports: { fulfillment: FulfillmentPort }) {
  const { fulfillment } = ports;
  return {
    createShipment: stepActivity(fulfillment.createShipment.bind(fulfillment)),
    cancelShipment: stepActivity(fulfillment.cancelShipment.bind(fulfillment)),
  };
}

export type FulfillmentActivities = ReturnType<typeof createFulfillmentActivities>;
