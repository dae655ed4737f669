/**
 * The catalogue's records: a price and its currency per sku, and the price of each paid shipping
 * option per currency. A small default catalogue is seeded at start and again on reset, so a
 * fresh stack (and the README's walk-through) can place orders without a setup step.
 */
import type { TableSet } from '../db';

/** SKU-1 .. SKU-9 at 12.50, 25.00, ... EUR; expedited shipping at 9.00 EUR. */
export const DEFAULT_PRODUCTS = Array.from({ length: 9 }, (_, i) => ({
  sku: `SKU-${i + 1}`,
  priceMinor: 1_250 * (i + 1),
  currency: 'EUR',
}));
export const DEFAULT_SHIPPING = [{ option: 'expedited', priceMinor: 900, currency: 'EUR' }];

const values = (rows: string[][]): string =>
  rows.map((row) => `(${row.map((value) => `'${value}'`).join(', ')})`).join(', ');

export const catalogueTables: TableSet = {
  tables: ['catalogue_shipping_options', 'catalogue_products'],
  ddl: `
    CREATE TABLE IF NOT EXISTS catalogue_products (
      sku text PRIMARY KEY,
      price_minor bigint NOT NULL CHECK (price_minor > 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE TABLE IF NOT EXISTS catalogue_shipping_options (
      option text NOT NULL,
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      price_minor bigint NOT NULL CHECK (price_minor >= 0),
      PRIMARY KEY (option, currency)
    );`,
  seed: `
    INSERT INTO catalogue_products (sku, price_minor, currency)
    VALUES ${values(DEFAULT_PRODUCTS.map((p) => [p.sku, String(p.priceMinor), p.currency]))}
    ON CONFLICT DO NOTHING;
    INSERT INTO catalogue_shipping_options (option, price_minor, currency)
    VALUES ${values(DEFAULT_SHIPPING.map((s) => [s.option, String(s.priceMinor), s.currency]))}
    ON CONFLICT DO NOTHING;`,
};
