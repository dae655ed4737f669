/** The fraud provider's records: every screening it answered, with its verdict. */
import type { TableSet } from '../db';

export const fraudTables: TableSet = {
  tables: ['fraud_screenings'],
  ddl: `
    CREATE TABLE IF NOT EXISTS fraud_screenings (
      id text PRIMARY KEY,
      order_id text NOT NULL,
      customer_id text NOT NULL,
      segment text NOT NULL,
      total_minor bigint NOT NULL,
      currency text NOT NULL,
      decision text NOT NULL,
      score integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX IF NOT EXISTS fraud_screenings_order ON fraud_screenings (order_id);`,
};
