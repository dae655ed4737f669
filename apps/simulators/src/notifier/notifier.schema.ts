/** The notifier's records: every message delivered to a customer, in the order it was sent. */
import type { TableSet } from '../db';

export const notifierTables: TableSet = {
  tables: ['notifications'],
  ddl: `
    CREATE TABLE IF NOT EXISTS notifications (
      id text PRIMARY KEY,
      sequence bigserial NOT NULL UNIQUE,
      order_id text NOT NULL,
      customer_id text NOT NULL,
      kind text NOT NULL,
      message text NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX IF NOT EXISTS notifications_customer ON notifications (customer_id, sequence);
    CREATE INDEX IF NOT EXISTS notifications_order ON notifications (order_id, sequence);`,
};
