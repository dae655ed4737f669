/**
 * FulfillmentPort over HTTP: shipments. 409 `already-dispatched` on cancel is
 * ShipmentAlreadyDispatched (the parcel left: the saga refunds instead); any other error is
 * thrown as it is (asActivity: a 4xx refusal is DownstreamRejected, not retried; a 5xx or a
 * network error is retried).
 */
import type { ShippingAddress } from '@order-platform/domain';
import { shipmentAlreadyDispatched } from '../errors';
import { type HttpClientOptions, JsonHttpClient, mapProblems } from '../http-client';
import type { StockLine } from '../inventory/inventory.port';
import type { FulfillmentPort } from './fulfillment.port';

const ALREADY_DISPATCHED = 'urn:simulators:already-dispatched';

export class FulfillmentHttpAdapter implements FulfillmentPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.http = new JsonHttpClient(baseUrl, options);
  }

  async createShipment(request: {
    idempotencyKey: string;
    orderId: string;
    lines: StockLine[];
    shipTo?: ShippingAddress;
  }): Promise<{ shipmentId: string }> {
    const { idempotencyKey, ...shipment } = request;
    const { shipmentId } = await this.http.post<{ shipmentId: string }>(
      '/fulfillment/shipments',
      shipment,
      { idempotencyKey },
    );
    return { shipmentId };
  }

  async cancelShipment(request: { idempotencyKey: string; shipmentId: string }): Promise<void> {
    await this.http
      .post(
        `/fulfillment/shipments/${encodeURIComponent(request.shipmentId)}/cancel`,
        {},
        {
          idempotencyKey: request.idempotencyKey,
        },
      )
      .catch(mapProblems({ [ALREADY_DISPATCHED]: shipmentAlreadyDispatched }));
  }
}
