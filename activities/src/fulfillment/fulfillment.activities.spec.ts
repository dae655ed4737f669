import { shipmentAlreadyDispatched } from '../errors';
import { activityOf, failureOf } from '../testing/activity-environment';
import { createFulfillmentActivities } from './fulfillment.activities';

describe('shipping an order', () => {
  it('asks for a shipment under the key of the workflow’s step', async () => {
    const asked: unknown[] = [];
    const fulfillment = createFulfillmentActivities({
      fulfillment: {
        createShipment: async (request) => {
          asked.push(request);
          return { shipmentId: 'shp-1' };
        },
        cancelShipment: async () => undefined,
      },
    });
    const lines = [{ sku: 'SKU-1', quantity: 1 }];
    expect(
      await activityOf('order-o-1').run(fulfillment.createShipment, {
        step: 'ship',
        orderId: 'o-1',
        lines,
      }),
    ).toEqual({ shipmentId: 'shp-1' });
    expect(asked).toEqual([{ idempotencyKey: 'order-o-1/ship', orderId: 'o-1', lines }]);
  });

  it('says ShipmentAlreadyDispatched when the parcel has left: the saga refunds instead', async () => {
    const fulfillment = createFulfillmentActivities({
      fulfillment: {
        createShipment: async () => ({ shipmentId: 'shp-1' }),
        cancelShipment: async () => {
          throw shipmentAlreadyDispatched('the parcel has left');
        },
      },
    });
    const cancelling = activityOf().run(fulfillment.cancelShipment, {
      step: 'cancel-shipment',
      shipmentId: 'shp-1',
    });
    expect(await failureOf(cancelling)).toMatchObject({
      type: 'ShipmentAlreadyDispatched',
      nonRetryable: true,
    });
  });
});
