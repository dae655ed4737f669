/**
 * Pricing an order at the door: the catalogue's prices, never the client's, make the lines, the
 * shipping and the total that is authorized. Pure: the caller asks the catalogue and hands its
 * answer in. One currency per order; expedited shipping is an option with a price, not a flag.
 */
import type { OrderLine } from './order';

export const SHIPPING_OPTIONS = ['standard', 'expedited'] as const;
export type ShippingOption = (typeof SHIPPING_OPTIONS)[number];

export interface CataloguePrice {
  priceMinor: number;
  currency: string;
}

/** A shipping option's price in one currency (standard shipping is free and not listed). */
export interface ShippingPrice extends CataloguePrice {
  option: ShippingOption;
}

/** What the catalogue said about the order's skus and shipping; unknown skus are absent. */
export interface CatalogueAnswer {
  products: ReadonlyMap<string, CataloguePrice>;
  shipping: readonly ShippingPrice[];
}

export interface PricingRequest {
  items: readonly { sku: string; quantity: number }[];
  shipping: ShippingOption;
  /** The total the customer saw and agreed to; absent: whatever the catalogue says now. */
  expectedTotalMinor?: number;
  /** The currency the customer expects to pay in; absent: the catalogue's. */
  expectedCurrency?: string;
}

export interface Quote {
  items: OrderLine[];
  shipping: ShippingOption;
  shippingMinor: number;
  currency: string;
  totalMinor: number;
}

export interface PricingProblem {
  /** The request field at fault, e.g. `items[2].sku`. */
  field: string;
  message: string;
}

export type Pricing =
  | { outcome: 'priced'; quote: Quote }
  /** The customer expected another total (or currency): they confirm the current one first. */
  | { outcome: 'price-changed'; quote: Quote }
  /** Nothing the customer can confirm: unknown skus, mixed currencies, no such shipping. */
  | { outcome: 'not-sellable'; problems: PricingProblem[] };

export function priceOrder(request: PricingRequest, catalogue: CatalogueAnswer): Pricing {
  const problems: PricingProblem[] = [];
  const priced = request.items.map((line, i) => ({
    line,
    field: `items[${i}].sku`,
    price: catalogue.products.get(line.sku),
  }));
  for (const { line, field, price } of priced) {
    if (!price) problems.push({ field, message: `${line.sku} is not in the catalogue` });
  }
  const currency = priced.find(({ price }) => price)?.price?.currency;
  for (const { line, field, price } of priced) {
    if (price && currency && price.currency !== currency) {
      problems.push({
        field,
        message: `${line.sku} is priced in ${price.currency}, the order's first line in ${currency}: one currency per order, place it as another order`,
      });
    }
  }
  let shippingMinor = 0;
  if (request.shipping !== 'standard' && currency) {
    const option = catalogue.shipping.find(
      (s) => s.option === request.shipping && s.currency === currency,
    );
    if (option) shippingMinor = option.priceMinor;
    else
      problems.push({
        field: 'shipping',
        message: `${request.shipping} shipping is not offered for orders in ${currency}`,
      });
  }
  if (problems.length > 0 || !currency) return { outcome: 'not-sellable', problems };

  const items = priced.map(({ line, price }) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitPriceMinor: price!.priceMinor,
  }));
  const linesMinor = items.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
  const quote: Quote = {
    items,
    shipping: request.shipping,
    shippingMinor,
    currency,
    totalMinor: linesMinor + shippingMinor,
  };
  const changed =
    (request.expectedTotalMinor !== undefined && request.expectedTotalMinor !== quote.totalMinor) ||
    (request.expectedCurrency !== undefined && request.expectedCurrency !== quote.currency);
  return { outcome: changed ? 'price-changed' : 'priced', quote };
}
