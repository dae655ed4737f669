import type { PersonalData } from '@order-platform/stores';
import { shipmentAlreadyDispatched } from '../errors';
import { activityOf, failureOf } from '../testing/activity-environment';
import { createFulfillmentActivities } from './fulfillment.activities';

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Sq',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
const noAddresses = { find: async (): Promise<PersonalData> => ({ state: 'none' }) };

describe('shipping an order', () => {
  const shipping = (personal: PersonalData) => {
    const asked: unknown[] = [];
    const fulfillment = createFulfillmentActivities({
      shippingAddresses: {
        find: async (orderId) => {
          expect(orderId).toBe('o-1');
          return personal;
        },
      },
      fulfillment: {
        createShipment: async (request) => {
          asked.push(request);
          return { shipmentId: 'shp-1' };
        },
        cancelShipment: async () => undefined,
      },
    });
    const run = () =>
      activityOf('order-o-1').run(fulfillment.createShipment, {
        step: 'ship',
        orderId: 'o-1',
        lines,
      });
    return { asked, run };
  };
  const lines = [{ sku: 'SKU-1', quantity: 1 }];

  it('asks for a shipment under the key of the workflow’s step, addressed from the platform’s record', async () => {
    const { asked, run } = shipping({ state: 'held', shippingAddress: address });
    expect(await run()).toEqual({ shipmentId: 'shp-1' });
    expect(asked).toEqual([
      { idempotencyKey: 'order-o-1/ship', orderId: 'o-1', lines, shipTo: address },
    ]);
  });

  it('ships without an address an order the platform holds none of (a monolith order)', async () => {
    const { asked, run } = shipping({ state: 'none' });
    expect(await run()).toEqual({ shipmentId: 'shp-1' });
    expect(asked).toEqual([{ idempotencyKey: 'order-o-1/ship', orderId: 'o-1', lines }]);
  });

  it('refuses for good to ship an order whose address was erased, asking nothing', async () => {
    const { asked, run } = shipping({ state: 'erased', erasedAt: new Date() });
    expect(await failureOf(run())).toMatchObject({
      type: 'PersonalDataErased',
      nonRetryable: true,
    });
    expect(asked).toEqual([]);
  });

  it('says ShipmentAlreadyDispatched when the parcel has left: the saga refunds instead', async () => {
    const fulfillment = createFulfillmentActivities({
      shippingAddresses: noAddresses,
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
