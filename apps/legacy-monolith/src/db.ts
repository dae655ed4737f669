/**
 * The monolith's PostgreSQL: a pool, transactions, and its schema `monolith`, created at start
 * (`CREATE ... IF NOT EXISTS`, under an advisory lock so two processes starting at once do not
 * race on the DDL). These tables are a contract: the legacy adapter streams them by logical
 * replication and relays the outbox, so names and types change only together with it. Every
 * table keeps the default REPLICA IDENTITY (its primary key). Money is bigint in the database
 * and a JS number here (safe up to 2^53 minor units).
 */
import { Pool, types, type QueryResultRow } from 'pg';
import { PRODUCTS_DDL } from './products';

export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface Db extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const parseTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

export function openDb(connectionString: string, onIdleError: (error: Error) => void): Db {
  const pool = new Pool({ connectionString, max: 10, types: parseTypes });
  // An idle client losing its connection (database restart) is reported, not a crash: the pool
  // replaces it, and readiness tells whether the database answers.
  pool.on('error', onIdleError);
  // A client checked out when the server goes away emits 'error' too, and the pool listens only
  // while it is idle: without this a restart mid-transaction ended the process. The query in
  // flight still fails, and its caller retries.
  pool.on('connect', (client) => client.on('error', onIdleError));
  return {
    query: (text, values) => pool.query(text, values),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is discarded rather than reused.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

const SCHEMA_DDL = `
  CREATE SCHEMA IF NOT EXISTS monolith;
  CREATE TABLE IF NOT EXISTS monolith.orders (
    order_id text PRIMARY KEY,
    customer_id text NOT NULL,
    status text NOT NULL CHECK (status IN
      ('PENDING_FRAUD', 'ACCEPTED', 'REJECTED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    fraud_decision text NULL CHECK (fraud_decision IN ('APPROVED', 'REJECTED')),
    fraud_decided_by text NULL CHECK (fraud_decided_by IN ('rules', 'external')),
    fraud_score integer NULL,
    total_cents bigint NOT NULL,
    currency text NOT NULL,
    payment_auth_id text NULL,
    expedited boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
  );
  CREATE TABLE IF NOT EXISTS monolith.order_lines (
    order_id text REFERENCES monolith.orders,
    line_no integer,
    sku text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price_cents bigint NOT NULL,
    PRIMARY KEY (order_id, line_no)
  );
  CREATE TABLE IF NOT EXISTS monolith.stock (
    sku text PRIMARY KEY,
    on_hand integer NOT NULL CHECK (on_hand >= 0)
  );
  CREATE TABLE IF NOT EXISTS monolith.payments (
    auth_id text PRIMARY KEY,
    order_id text NOT NULL,
    amount_cents bigint NOT NULL,
    currency text NOT NULL,
    status text NOT NULL CHECK (status IN ('AUTHORIZED', 'VOIDED', 'CAPTURED')),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS monolith.outbox (
    id bigserial PRIMARY KEY,
    aggregate_id text NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz NULL
  );
  CREATE INDEX IF NOT EXISTS outbox_unpublished ON monolith.outbox (id)
    WHERE published_at IS NULL;
  CREATE TABLE IF NOT EXISTS monolith.settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL
  );
  -- Handing stages over to the platform (handover.ts). Added to older schemas in place.
  -- Only once: re-checking every row at each start would lock a large table for nothing.
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'monolith.orders'::regclass AND conname = 'orders_status_check'
                     AND pg_get_constraintdef(oid) LIKE '%PENDING_STOCK%') THEN
      ALTER TABLE monolith.orders DROP CONSTRAINT IF EXISTS orders_status_check;
      ALTER TABLE monolith.orders ADD CONSTRAINT orders_status_check CHECK (status IN
        ('PENDING_FRAUD', 'PENDING_STOCK', 'PENDING_PAYMENT', 'ACCEPTED', 'REJECTED', 'SHIPPED',
         'DELIVERED', 'CANCELLED'));
    END IF;
  END $$;
  ALTER TABLE monolith.orders
    ADD COLUMN IF NOT EXISTS handed_over text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS stock_held_by text NULL CHECK (stock_held_by IN ('monolith', 'platform')),
    ADD COLUMN IF NOT EXISTS stock_reservation_id text NULL,
    ADD COLUMN IF NOT EXISTS shipment_id text NULL,
    -- Why a cancelled order ended: the customer's reason, or the platform's failed stage.
    ADD COLUMN IF NOT EXISTS ended_reason text NULL;
  ALTER TABLE monolith.payments
    ADD COLUMN IF NOT EXISTS held_by text NOT NULL DEFAULT 'monolith'
      CHECK (held_by IN ('monolith', 'platform'));
  -- What the customer was told, once per kind, and by whom.
  CREATE TABLE IF NOT EXISTS monolith.notifications (
    order_id text REFERENCES monolith.orders,
    kind text NOT NULL CHECK (kind IN
      ('confirmed', 'rejected', 'shipped', 'delivered', 'cancelled')),
    sent_by text NOT NULL CHECK (sent_by IN ('monolith', 'platform')),
    reference text NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, kind)
  );`;

export async function setupSchema(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('legacy-monolith-schema'))");
    await tx.query(SCHEMA_DDL);
    await tx.query(PRODUCTS_DDL);
  });
}
