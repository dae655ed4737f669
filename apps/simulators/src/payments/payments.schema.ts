/**
 * The payment gateway's records. `payment_ledger` is the money trail: one row per
 * authorization, void, capture and refund, which is what a test reads to prove an order was
 * charged exactly once. One capture per authorization is a database constraint, not a hope.
 */
import type { TableSet } from '../db';

export const paymentTables: TableSet = {
  tables: ['payment_ledger', 'payment_captures', 'payment_authorizations'],
  ddl: `
    CREATE TABLE IF NOT EXISTS payment_authorizations (
      id text PRIMARY KEY,
      order_id text NOT NULL,
      customer_id text NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency text NOT NULL,
      state text NOT NULL CHECK (state IN ('authorized', 'voided', 'captured')),
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE TABLE IF NOT EXISTS payment_captures (
      id text PRIMARY KEY,
      authorization_id text NOT NULL UNIQUE REFERENCES payment_authorizations (id),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor <= amount_minor),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE TABLE IF NOT EXISTS payment_ledger (
      id text PRIMARY KEY,
      order_id text NOT NULL,
      customer_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('authorization', 'void', 'capture', 'refund')),
      amount_minor bigint NOT NULL,
      currency text NOT NULL,
      reference text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX IF NOT EXISTS payment_ledger_order ON payment_ledger (order_id, created_at);`,
};
