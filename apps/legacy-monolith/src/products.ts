/**
 * The monolith's own price list: what each sku costs and in which currency, and what expedited
 * shipping costs per currency. Orders are priced from here inside the placing transaction, never
 * from the request: a client that sends a price is refused. A small default list (SKU-1..SKU-9,
 * the same as the platform's catalogue) is seeded with the schema.
 */
import type { Queryable } from './db';
import { Input, ok, problem, route, type Route } from './http';

export interface PricedLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Priced {
  lines: PricedLine[];
  currency: string;
  /** Expedited shipping, on top of the lines; 0 for standard. */
  shippingCents: number;
  totalCents: number;
}

export const PRODUCTS_DDL = `
  CREATE TABLE IF NOT EXISTS monolith.products (
    sku text PRIMARY KEY,
    price_cents bigint NOT NULL CHECK (price_cents > 0),
    currency text NOT NULL
  );
  CREATE TABLE IF NOT EXISTS monolith.shipping_rates (
    option text NOT NULL,
    currency text NOT NULL,
    price_cents bigint NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (option, currency)
  );
  INSERT INTO monolith.products (sku, price_cents, currency)
    SELECT 'SKU-' || n, 1250 * n, 'EUR' FROM generate_series(1, 9) AS n
    ON CONFLICT DO NOTHING;
  INSERT INTO monolith.shipping_rates (option, currency, price_cents)
    VALUES ('expedited', 'EUR', 900) ON CONFLICT DO NOTHING;`;

export function productRoutes(db: Queryable): Route[] {
  return [
    route('GET', '/products/:sku', async ({ params }) => {
      const { rows } = await db.query(
        `SELECT sku, price_cents AS "priceCents", currency FROM monolith.products WHERE sku = $1`,
        [params.sku],
      );
      if (!rows[0]) throw problem('not-found', `no product ${params.sku}`);
      return ok(rows[0]);
    }),
    route('PUT', '/products/:sku', async ({ params, body }) => {
      const input = Input.of(body);
      const product = {
        priceCents: input.integer('priceCents', 1),
        currency: input.currency('currency'),
      };
      await db.query(
        `INSERT INTO monolith.products (sku, price_cents, currency) VALUES ($1, $2, $3)
         ON CONFLICT (sku) DO UPDATE SET price_cents = EXCLUDED.price_cents,
           currency = EXCLUDED.currency`,
        [params.sku, product.priceCents, product.currency],
      );
      return ok({ sku: params.sku, ...product });
    }),
  ];
}

/**
 * Prices the order's lines (and expedited shipping) from the price list. Unknown skus, a
 * second currency and a currency other than the one the client names are refused, each naming
 * its field.
 */
export async function priceOrder(
  tx: Queryable,
  items: { sku: string; quantity: number }[],
  options: { expedited: boolean; currency?: string },
): Promise<Priced> {
  const { rows } = await tx.query<{ sku: string; price_cents: number; currency: string }>(
    'SELECT sku, price_cents, currency FROM monolith.products WHERE sku = ANY($1)',
    [items.map((item) => item.sku)],
  );
  const prices = new Map(rows.map((row) => [row.sku, row]));
  const lines = items.map((item, i) => {
    const price = prices.get(item.sku);
    if (!price) {
      throw problem('invalid-request', `${item.sku} has no price`, { field: `items[${i}].sku` });
    }
    return { ...item, unitPriceCents: price.price_cents, currency: price.currency };
  });
  const currency = lines[0]!.currency;
  const other = lines.findIndex((line) => line.currency !== currency);
  if (other >= 0) {
    throw problem('invalid-request', 'one currency per order', { field: `items[${other}].sku` });
  }
  if (options.currency !== undefined && options.currency !== currency) {
    throw problem('invalid-request', `the items are priced in ${currency}`, { field: 'currency' });
  }
  let shippingCents = 0;
  if (options.expedited) {
    const { rows: rates } = await tx.query<{ price_cents: number }>(
      `SELECT price_cents FROM monolith.shipping_rates WHERE option = 'expedited' AND currency = $1`,
      [currency],
    );
    if (!rates[0]) {
      throw problem('invalid-request', `no expedited shipping in ${currency}`, {
        field: 'expedited',
      });
    }
    shippingCents = rates[0].price_cents;
  }
  const linesCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  if (!Number.isSafeInteger(linesCents + shippingCents)) {
    throw problem('invalid-request', 'items add up to more than the largest total', {
      field: 'items',
    });
  }
  return {
    lines: lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    currency,
    shippingCents,
    totalCents: linesCents + shippingCents,
  };
}
