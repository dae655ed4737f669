/**
 * The warehouse's records: on-hand stock per sku, and reservations with their lines. A
 * reservation is `reserved` until its `expires_at` (then it counts as expired: lapsed
 * reservations are released lazily, by every query, with no background job), `allocated` once
 * committed to its order, or `released`. Returned parcels are restocked once per return and sku.
 */
import type { TableSet } from '../db';

export const warehouseTables: TableSet = {
  tables: [
    'warehouse_returns',
    'warehouse_reservation_lines',
    'warehouse_reservations',
    'warehouse_stock',
  ],
  ddl: `
    CREATE TABLE IF NOT EXISTS warehouse_stock (
      sku text PRIMARY KEY,
      on_hand integer NOT NULL CHECK (on_hand >= 0)
    );
    CREATE TABLE IF NOT EXISTS warehouse_reservations (
      id text PRIMARY KEY,
      order_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('reserved', 'allocated', 'released')),
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      allocated_at timestamptz,
      released_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS warehouse_reservations_order ON warehouse_reservations (order_id);
    CREATE TABLE IF NOT EXISTS warehouse_reservation_lines (
      reservation_id text NOT NULL REFERENCES warehouse_reservations (id),
      sku text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (reservation_id, sku)
    );
    CREATE INDEX IF NOT EXISTS warehouse_reservation_lines_sku
      ON warehouse_reservation_lines (sku);
    CREATE TABLE IF NOT EXISTS warehouse_returns (
      return_id text NOT NULL,
      order_id text NOT NULL,
      sku text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      restocked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (return_id, sku)
    );`,
};
