/**
 * The fulfilment service's records: shipments (created, dispatched, delivered or cancelled),
 * return parcels received back at the warehouse (one per return authorization), and the outbox
 * of notifications to the platform, one per fact, written in the same transaction as the fact
 * and drained by the webhook notifier.
 */
import type { TableSet } from '../db';

export const fulfillmentTables: TableSet = {
  tables: ['fulfillment_shipments', 'fulfillment_return_parcels', 'fulfillment_notifications'],
  ddl: `
    CREATE TABLE IF NOT EXISTS fulfillment_shipments (
      id text PRIMARY KEY,
      order_id text NOT NULL,
      lines jsonb NOT NULL,
      state text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      dispatched_at timestamptz,
      cancelled_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS fulfillment_shipments_order ON fulfillment_shipments (order_id);
    -- Tables created before deliveries existed get the new state and column here.
    ALTER TABLE fulfillment_shipments ADD COLUMN IF NOT EXISTS delivered_at timestamptz;
    -- Where the parcel goes (the platform sends it when it has it).
    ALTER TABLE fulfillment_shipments ADD COLUMN IF NOT EXISTS ship_to jsonb;
    ALTER TABLE fulfillment_shipments DROP CONSTRAINT IF EXISTS fulfillment_shipments_state_check;
    ALTER TABLE fulfillment_shipments ADD CONSTRAINT fulfillment_shipments_state_check
      CHECK (state IN ('created', 'dispatched', 'delivered', 'cancelled'));
    CREATE TABLE IF NOT EXISTS fulfillment_return_parcels (
      return_id text PRIMARY KEY,
      order_id text NOT NULL,
      shipment_id text NOT NULL REFERENCES fulfillment_shipments (id),
      received_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX IF NOT EXISTS fulfillment_return_parcels_order
      ON fulfillment_return_parcels (order_id);
    CREATE TABLE IF NOT EXISTS fulfillment_notifications (
      id bigserial PRIMARY KEY,
      event_id text NOT NULL UNIQUE,
      shipment_id text NOT NULL,
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      delivered_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS fulfillment_notifications_pending
      ON fulfillment_notifications (next_attempt_at) WHERE state = 'pending';`,
};
