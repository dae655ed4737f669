/**
 * The customer API's contract as JSON Schema (OpenAPI 3.0 dialect): the request schemas validate
 * what arrives, and all of them are published at /docs-json. Paths, fields and codes here are
 * what clients code against; change them only compatibly.
 */
import {
  CUSTOMER_STATUSES,
  NOT_STARTED_REASON,
  SHIPPING_OPTIONS,
  type ShippingOption,
} from '@order-platform/domain';

export const ORDER_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const SKU_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

/** Money is in integer minor units (cents): no floating point anywhere near a price. */
export const MAX_TOTAL_MINOR = 100_000_000_000;
export const MAX_LINES = 100;
export const MAX_QUANTITY = 1000;

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

export const SHIPPING_ADDRESS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'line1', 'city', 'postalCode', 'country'],
  properties: {
    name: text(200),
    line1: text(200),
    line2: { type: 'string', maxLength: 200 },
    city: text(100),
    postalCode: { type: 'string', pattern: '^[A-Za-z0-9 -]{2,12}$' },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
  },
} as const;

const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' } as const;

/** Skus and quantities, without prices: what is bought, or sent back. */
const LINES_SCHEMA = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_LINES,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['sku', 'quantity'],
    properties: {
      sku: { type: 'string', pattern: SKU_PATTERN },
      quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY },
    },
  },
} as const;

/** What is being bought: lines and shipping. Prices are never sent: the catalogue sets them. */
const BASKET_PROPERTIES = {
  items: LINES_SCHEMA,
  shipping: {
    type: 'string',
    enum: [...SHIPPING_OPTIONS],
    default: 'standard',
    description:
      '`expedited` is a paid option priced by the catalogue and added to the total; only such orders take the priority lane',
  },
} as const;

export const QUOTE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: BASKET_PROPERTIES,
} as const;

export const PLACE_ORDER_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'shippingAddress'],
  properties: {
    ...BASKET_PROPERTIES,
    currency: {
      ...currency,
      description:
        'The currency the customer expects to pay in (optional): a catalogue priced in another is a 409 price-changed',
    },
    expectedTotalMinor: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_TOTAL_MINOR,
      description:
        'The total (minor units, shipping included) the customer saw and agrees to pay, e.g. from a quote; a different current total is a 409 price-changed carrying the current quote',
    },
    shippingAddress: SHIPPING_ADDRESS_SCHEMA,
  },
} as const;

export interface QuoteRequest {
  items: { sku: string; quantity: number }[];
  shipping?: ShippingOption;
}

export interface PlaceOrderRequest extends QuoteRequest {
  currency?: string;
  expectedTotalMinor?: number;
  shippingAddress: {
    name: string;
    line1: string;
    line2?: string;
    city: string;
    postalCode: string;
    country: string;
  };
}

const QUOTED_LINES = {
  type: 'array',
  items: {
    type: 'object',
    required: ['sku', 'quantity', 'unitPrice'],
    properties: {
      sku: { type: 'string' },
      quantity: { type: 'integer' },
      unitPrice: { type: 'integer', description: "The catalogue's price, in minor units" },
    },
  },
} as const;

export const QUOTE_SCHEMA = {
  type: 'object',
  required: ['items', 'shipping', 'shippingPrice', 'total', 'currency'],
  properties: {
    items: QUOTED_LINES,
    shipping: { type: 'string', enum: [...SHIPPING_OPTIONS] },
    shippingPrice: { type: 'integer', description: 'In minor units' },
    total: {
      type: 'integer',
      description: 'Lines plus shipping, in minor units: send it as `expectedTotalMinor`',
    },
    currency: { type: 'string' },
  },
} as const;

export const ORDER_ACCEPTED_SCHEMA = {
  type: 'object',
  required: ['orderId', 'status', 'links'],
  properties: {
    orderId: { type: 'string' },
    status: { type: 'string', enum: ['RECEIVED'] },
    links: {
      type: 'object',
      required: ['self'],
      properties: { self: { type: 'string' } },
    },
  },
} as const;

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullable = <T extends object>(schema: T) => ({ ...schema, nullable: true }) as const;

export const RETURN_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['lines'],
  properties: { lines: LINES_SCHEMA },
} as const;

export interface ReturnRequestBody {
  lines: { sku: string; quantity: number }[];
}

export const RETURN_SCHEMA = {
  type: 'object',
  required: ['returnId', 'state', 'lines', 'requestedAt', 'parcelDueBy', 'refunded'],
  properties: {
    returnId: { type: 'string' },
    state: {
      type: 'string',
      enum: ['authorized', 'received', 'refunded', 'lapsed'],
      description:
        'authorized: waiting for the parcel; received: back and restocked, refund under way; refunded; lapsed: no parcel by `parcelDueBy`, nothing refunded',
    },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'refund'],
        properties: {
          sku: { type: 'string' },
          quantity: { type: 'integer' },
          refund: { type: 'integer', description: 'What the line refunds, in minor units' },
        },
      },
    },
    requestedAt: dateTime,
    parcelDueBy: dateTime,
    receivedAt: { ...dateTime, description: 'When the parcel was back (absent until then)' },
    refundedAt: { ...dateTime, description: 'When it was refunded (absent until then)' },
    lapsedAt: { ...dateTime, description: 'When it lapsed (absent unless it did)' },
    refunded: { type: 'integer', description: 'Refunded so far, in minor units' },
  },
} as const;

export const ORDER_STATUS_SCHEMA = {
  type: 'object',
  required: [
    'orderId',
    'status',
    'statusLabel',
    'since',
    'delayed',
    'delayReason',
    'expectedBy',
    'cancellable',
    'items',
    'shipping',
    'shippingPrice',
    'total',
    'currency',
    'history',
    'stale',
    'links',
  ],
  properties: {
    orderId: { type: 'string' },
    status: { type: 'string', enum: [...CUSTOMER_STATUSES] },
    statusLabel: { type: 'string' },
    statusReason: {
      type: 'string',
      enum: [NOT_STARTED_REASON],
      description:
        'Present only when the order was never started: it expired (REJECTED) or was cancelled before it started (CANCELLED); nothing was held or charged',
    },
    since: dateTime,
    delayed: { type: 'boolean' },
    delayReason: nullable({ type: 'string' }),
    expectedBy: nullable(dateTime),
    cancellable: {
      type: 'boolean',
      description:
        'What a cancel would be answered now: false past the point of no return (dispatched, capturing, shipped) or once ended',
    },
    items: QUOTED_LINES,
    shipping: { type: 'string', enum: [...SHIPPING_OPTIONS] },
    shippingPrice: { type: 'integer', description: 'In minor units' },
    total: { type: 'integer', description: 'In minor units, shipping included' },
    currency: { type: 'string' },
    history: {
      type: 'array',
      description:
        'Oldest first: each change of status once, and each step of each return (with `returnId` and `returnStep`); `status` is what the order read from then on',
      items: {
        type: 'object',
        required: ['status', 'at'],
        properties: {
          status: { type: 'string', enum: [...CUSTOMER_STATUSES] },
          at: dateTime,
          returnId: { type: 'string', description: 'Return steps only: the return' },
          returnStep: {
            type: 'string',
            enum: ['requested', 'received', 'refunded', 'lapsed'],
            description: 'Return steps only: what happened to the return',
          },
        },
      },
    },
    stale: {
      type: 'boolean',
      description: 'True when the workflow engine cannot be reached: the status may be behind',
    },
    returns: {
      type: 'array',
      items: RETURN_SCHEMA,
      description: 'Returns requested after dispatch, oldest first (absent when there are none)',
    },
    links: {
      type: 'object',
      required: ['self'],
      properties: { self: { type: 'string' }, cancel: { type: 'string' } },
    },
  },
} as const;

export const ORDER_LIST_SCHEMA = {
  type: 'object',
  required: ['orders', 'nextCursor'],
  properties: {
    orders: { type: 'array', items: ORDER_STATUS_SCHEMA },
    nextCursor: nullable({ type: 'string', description: 'Pass as `cursor` for the next page' }),
  },
} as const;

export const LIST_ORDERS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...CUSTOMER_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

export interface ListOrdersQuery {
  status?: (typeof CUSTOMER_STATUSES)[number];
  limit: number;
  cursor?: string;
}

export const READ_ORDER_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    consistency: {
      type: 'string',
      enum: ['eventual', 'strong'],
      default: 'eventual',
      description: '`strong` asks the workflow itself instead of the read model',
    },
  },
} as const;

export interface ReadOrderQuery {
  consistency: 'eventual' | 'strong';
}

export const ORDER_ID_PARAM_SCHEMA = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string', pattern: ORDER_ID_PATTERN } },
} as const;

/** 202 from a cancel the order has not taken up yet (its outcome is learnt by sending it again). */
export const CANCELLATION_PENDING_SCHEMA = {
  type: 'object',
  required: ['orderId', 'cancellation', 'detail', 'links'],
  properties: {
    orderId: { type: 'string' },
    cancellation: { type: 'string', enum: ['pending'] },
    detail: { type: 'string' },
    links: {
      type: 'object',
      properties: { self: { type: 'string' }, cancel: { type: 'string' } },
    },
  },
} as const;
