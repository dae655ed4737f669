/**
 * The catalogue: what each sku costs and in which currency, and what the paid shipping options
 * cost. The platform prices every order from here; tests and demos set prices with PUT. Reads
 * list only what is known: an unknown sku is simply absent from the answer.
 */
import type { Db } from '../db';
import { Input } from '../http/input';
import { problem } from '../http/problem';
import { ok, route, type Route } from '../http/router';

const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const SHIPPING_OPTIONS = ['expedited'] as const;
/** A request names at most this many skus (an order has at most 100 lines). */
const MAX_SKUS = 200;

export function catalogueRoutes(db: Db): Route[] {
  return [
    route('GET', '/catalogue/products', async ({ query }) => {
      const skus = [
        ...new Set((query.get('skus') ?? '').split(',').map((sku) => sku.trim())),
      ].filter(Boolean);
      if (skus.length === 0) throw problem('invalid-request', 'query parameter skus is required');
      if (skus.length > MAX_SKUS) throw problem('invalid-request', `at most ${MAX_SKUS} skus`);
      const { rows } = await db.query(
        `SELECT sku, price_minor AS "priceMinor", currency FROM catalogue_products
         WHERE sku = ANY($1) ORDER BY sku`,
        [skus],
      );
      return ok({ products: rows });
    }),
    route('PUT', '/catalogue/products/:sku', async ({ params, body }) => {
      const sku = params.sku!;
      if (!SKU.test(sku)) throw problem('invalid-request', `not a sku: ${sku}`);
      const input = Input.of(body);
      const price = {
        priceMinor: input.integer('priceMinor', 1),
        currency: input.currency('currency'),
      };
      await db.query(
        `INSERT INTO catalogue_products (sku, price_minor, currency) VALUES ($1, $2, $3)
         ON CONFLICT (sku) DO UPDATE
           SET price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency,
               updated_at = clock_timestamp()`,
        [sku, price.priceMinor, price.currency],
      );
      return ok({ sku, ...price });
    }),
    route('GET', '/catalogue/shipping-options', async () => {
      const { rows } = await db.query(
        `SELECT option, price_minor AS "priceMinor", currency FROM catalogue_shipping_options
         ORDER BY option, currency`,
      );
      return ok({ shippingOptions: rows });
    }),
    route('PUT', '/catalogue/shipping-options/:option', async ({ params, body }) => {
      const option = params.option!;
      if (!(SHIPPING_OPTIONS as readonly string[]).includes(option)) {
        throw problem('invalid-request', `option must be one of ${SHIPPING_OPTIONS.join(', ')}`);
      }
      const input = Input.of(body);
      const price = {
        priceMinor: input.integer('priceMinor'),
        currency: input.currency('currency'),
      };
      await db.query(
        `INSERT INTO catalogue_shipping_options (option, price_minor, currency) VALUES ($1, $2, $3)
         ON CONFLICT (option, currency) DO UPDATE SET price_minor = EXCLUDED.price_minor`,
        [option, price.priceMinor, price.currency],
      );
      return ok({ option, ...price });
    }),
  ];
}
