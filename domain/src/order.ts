/**
 * An order as the platform accepts it, priced by the catalogue (never by the client). Money is in
 * integer minor units (cents) so totals never drift through floating point.
 */
import type { MigrationStage } from './legacy-events';
export const CUSTOMER_SEGMENTS = ['standard', 'vip', 'new-customer'] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

export interface OrderLine {
  sku: string;
  quantity: number;
  /** The catalogue's price when the order was placed: what the customer pays for one. */
  unitPriceMinor: number;
}

/**
 * Where the parcel goes; personal data, so it never appears in logs, events or workflow
 * histories: the platform keeps it in `order_personal_data` (stores/src/personal-data/) and the
 * fulfilment activity reads it by order id.
 */
export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface PlacedOrder {
  orderId: string;
  customerId: string;
  segment: CustomerSegment;
  items: OrderLine[];
  currency: string;
  /** The priority lane: true only when expedited shipping was priced and paid for. */
  expedited: boolean;
  /** What shipping costs on top of the lines (expedited); absent on orders placed before. */
  shippingMinor?: number;
  /**
   * Only on orders started before the platform kept addresses apart (their histories still
   * replay); new orders never carry it: see ShippingAddress.
   */
  shippingAddress?: ShippingAddress;
  /** When the customer placed it (ISO 8601), as recorded by the gateway or the monolith. */
  placedAt: string;
  /**
   * A monolith order only: the stages the monolith handed over to the platform for it (it waits
   * for the platform's outcome of each). Absent when the monolith did not say.
   */
  handedOver?: MigrationStage[];
}

/** What the customer pays, and so what is authorized and captured: the lines plus shipping. */
export const orderTotalMinor = (order: Pick<PlacedOrder, 'items' | 'shippingMinor'>): number =>
  order.items.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0) +
  (order.shippingMinor ?? 0);

export const workflowIdForOrder = (orderId: string): string => `order-${orderId}`;

/** The order a workflow id names (`workflowIdForOrder`'s inverse); undefined for other workflows. */
export const orderIdOfWorkflow = (workflowId: string): string | undefined =>
  workflowId.startsWith('order-') && workflowId.length > 'order-'.length
    ? workflowId.slice('order-'.length)
    : undefined;

/** Problems with an order, each naming its field; empty when the order is acceptable. */
export function validatePlacedOrder(order: PlacedOrder): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(order.orderId ?? ''))
    problems.push('orderId: 1-64 letters, digits, _ or -');
  if (!order.customerId) problems.push('customerId: required');
  if (!CUSTOMER_SEGMENTS.includes(order.segment))
    problems.push(`segment: one of ${CUSTOMER_SEGMENTS.join(', ')}`);
  if (!/^[A-Z]{3}$/.test(order.currency ?? '')) problems.push('currency: ISO 4217 code');
  if (!Array.isArray(order.items) || order.items.length === 0)
    problems.push('items: at least one line');
  (order.items ?? []).forEach((line, i) => {
    if (!line.sku) problems.push(`items[${i}].sku: required`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1)
      problems.push(`items[${i}].quantity: a positive integer`);
    if (!Number.isInteger(line.unitPriceMinor) || line.unitPriceMinor < 0) {
      problems.push(`items[${i}].unitPriceMinor: a non-negative integer`);
    }
  });
  if (
    order.shippingMinor !== undefined &&
    (!Number.isInteger(order.shippingMinor) || order.shippingMinor < 0)
  ) {
    problems.push('shippingMinor: a non-negative integer');
  }
  return problems;
}
