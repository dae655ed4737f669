/** The fulfilment service's records: shipments, and whether they left or were cancelled. */
import type { TableSet } from '../db';

export const fulfillmentTables: TableSet = {
  tables: ['fulfillment_shipments'],
  ddl: `
    CREATE TABLE IF NOT EXISTS fulfillment_shipments (
      id text PRIMARY KEY,
      order_id text NOT NULL,
      lines jsonb NOT NULL,
      state text NOT NULL CHECK (state IN ('created', 'dispatched', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      dispatched_at timestamptz,
      cancelled_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS fulfillment_shipments_order ON fulfillment_shipments (order_id);`,
};
