/**
 * Pricing at the door: asks the catalogue (through its port) and turns the domain's pricing into
 * what the API answers: the quote, 400 naming the lines nobody sells, 409 `price-changed` with
 * the current quote, 503 while the catalogue cannot answer. Client prices are refused outright,
 * so a dishonest or outdated client learns that the catalogue sets them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { priceOrder, type Quote } from '@order-platform/domain';
import {
  CATALOGUE_PORT,
  type CataloguePort,
  CatalogueUnavailableError,
} from '../catalogue/catalogue.port';
import { type FieldError, problems } from '../http/problem';
import type { PlaceOrderRequest, QuoteRequest } from './order-api.schemas';

/** How soon a customer may retry while the catalogue is down. */
const CATALOGUE_RETRY_AFTER_SECONDS = 5;

export interface QuoteResponse {
  items: { sku: string; quantity: number; unitPrice: number }[];
  shipping: Quote['shipping'];
  shippingPrice: number;
  total: number;
  currency: string;
}

export const quoteResponse = (quote: Quote): QuoteResponse => ({
  items: quote.items.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitPrice: line.unitPriceMinor,
  })),
  shipping: quote.shipping,
  shippingPrice: quote.shippingMinor,
  total: quote.totalMinor,
  currency: quote.currency,
});

/**
 * Fields a client may still send from the days it set prices, each refused with what to do
 * instead (checked before the schema, whose answer would only say "unknown field").
 */
export function refuseClientPricing(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const errors: FieldError[] = [];
  const { items, expedited } = body as { items?: unknown; expedited?: unknown };
  if (Array.isArray(items)) {
    items.forEach((line: unknown, i) => {
      if (typeof line === 'object' && line !== null && 'unitPrice' in line) {
        errors.push({
          field: `items[${i}].unitPrice`,
          message:
            'prices come from the catalogue, not the client: leave it out, and send expectedTotalMinor to confirm the total you saw',
        });
      }
    });
  }
  if (expedited !== undefined) {
    errors.push({
      field: 'expedited',
      message: 'expedited shipping is a paid option: send "shipping": "expedited"',
    });
  }
  if (errors.length > 0) throw problems.invalid(errors);
}

@Injectable()
export class OrderPricing {
  constructor(@Inject(CATALOGUE_PORT) private readonly catalogue: CataloguePort) {}

  /** The current quote for a basket: a quote names no expected total, so it is never a 409. */
  async quote(request: QuoteRequest): Promise<Quote> {
    return this.price(request);
  }

  /** The priced order; a 409 `price-changed` if the customer expected another total. */
  async price(
    request: QuoteRequest & Partial<Pick<PlaceOrderRequest, 'expectedTotalMinor' | 'currency'>>,
  ): Promise<Quote> {
    const shipping = request.shipping ?? 'standard';
    let answer;
    try {
      answer = await this.catalogue.lookUp(
        request.items.map((line) => line.sku),
        { withShipping: shipping !== 'standard' },
      );
    } catch (error) {
      if (error instanceof CatalogueUnavailableError) {
        throw problems.unavailable(
          'Prices cannot be looked up right now, so no order was placed; please retry',
          CATALOGUE_RETRY_AFTER_SECONDS,
        );
      }
      throw error;
    }
    const pricing = priceOrder(
      {
        items: request.items,
        shipping,
        expectedTotalMinor: request.expectedTotalMinor,
        expectedCurrency: request.currency,
      },
      answer,
    );
    if (pricing.outcome === 'not-sellable') throw problems.invalid(pricing.problems);
    if (pricing.outcome === 'price-changed') {
      const { totalMinor, currency } = pricing.quote;
      throw problems.priceChanged(
        `The order now costs ${totalMinor} ${currency} (minor units); confirm it by placing the order again with that expectedTotalMinor`,
        quoteResponse(pricing.quote),
      );
    }
    return pricing.quote;
  }
}
