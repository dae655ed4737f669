/** The fulfilment webhook's body, as JSON Schema (the validator uses it; see docs/api.md). */
import { ORDER_ID_PATTERN } from '../orders/order-api.schemas';

export const FULFILLMENT_FACT_KINDS = ['dispatched', 'delivered', 'return-received'] as const;

export const FULFILLMENT_EVENT_SCHEMA = {
  type: 'object',
  required: ['eventId', 'orderId', 'shipmentId', 'kind', 'occurredAt'],
  // Fields a newer fulfilment service adds are ignored, not refused.
  properties: {
    eventId: { type: 'string', minLength: 1, maxLength: 200 },
    orderId: { type: 'string', pattern: ORDER_ID_PATTERN },
    shipmentId: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: [...FULFILLMENT_FACT_KINDS] },
    // Required with `return-received` (checked by the controller): the return authorization.
    returnId: { type: 'string', minLength: 1, maxLength: 200 },
    occurredAt: { type: 'string', format: 'date-time' },
  },
} as const;

export interface FulfillmentEvent {
  eventId: string;
  orderId: string;
  shipmentId: string;
  kind: (typeof FULFILLMENT_FACT_KINDS)[number];
  returnId?: string;
  occurredAt: string;
}
