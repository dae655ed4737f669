/**
 * The fulfillment service over HTTP (FulfillmentPort) against its simulator, started as a process
 * from its entry point: what the saga relies on, said in business terms.
 */
import { outcomeOf, unique, useSimulators } from '../testing/simulators';
import { FulfillmentHttpAdapter } from './fulfillment.http-adapter';
import type { FulfillmentPort } from './fulfillment.port';

describe('the fulfillment HTTP adapter against its simulator', () => {
  const simulators = useSimulators();
  const { get, post } = simulators;
  let fulfillment: FulfillmentPort;

  beforeAll(() => {
    fulfillment = new FulfillmentHttpAdapter(simulators.url);
  });

  it('says ShipmentAlreadyDispatched when cancelling a parcel that has left', async () => {
    const orderId = unique('order');
    const { shipmentId } = await fulfillment.createShipment({
      idempotencyKey: `${orderId}/ship`,
      orderId,
      lines: [{ sku: 'sku-1', quantity: 1 }],
    });
    expect(
      (await post(`/fulfillment/shipments/${shipmentId}/dispatch`, `${orderId}/dispatch`)).status,
    ).toBe(200);
    expect(
      await outcomeOf(
        fulfillment.cancelShipment({ idempotencyKey: `${orderId}/cancel`, shipmentId }),
      ),
    ).toBe('ShipmentAlreadyDispatched');
  });

  it('cancels a shipment that has not left, and cancelling again succeeds', async () => {
    const orderId = unique('order');
    const ship = {
      idempotencyKey: `${orderId}/ship`,
      orderId,
      lines: [{ sku: 'sku-1', quantity: 2 }],
    };
    const { shipmentId } = await fulfillment.createShipment(ship);
    expect(await fulfillment.createShipment(ship)).toEqual({ shipmentId });
    await fulfillment.cancelShipment({ idempotencyKey: `${orderId}/cancel`, shipmentId });
    await fulfillment.cancelShipment({ idempotencyKey: `${orderId}/cancel-2`, shipmentId });
    expect(await get(`/fulfillment/shipments?orderId=${orderId}`)).toEqual([
      expect.objectContaining({ shipmentId, state: 'cancelled' }),
    ]);
  });
});
