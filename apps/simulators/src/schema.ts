/**
 * Schema setup: the simulators create their own tables at start (`CREATE ... IF NOT EXISTS`)
 * in their own PostgreSQL schema. They stand in for third-party services, so their tables are
 * not part of the platform's migration history. An advisory lock lets two processes start at
 * once without racing on the DDL.
 */
import { catalogueTables } from './catalogue/catalogue.schema';
import type { Db, Queryable, TableSet } from './db';
import { settingsTables } from './dials';
import { fraudTables } from './fraud/fraud.schema';
import { fulfillmentTables } from './fulfillment/fulfillment.schema';
import { idempotencyTables } from './http/idempotency';
import { notifierTables } from './notifier/notifier.schema';
import { paymentTables } from './payments/payments.schema';
import { warehouseTables } from './warehouse/warehouse.schema';

const TABLE_SETS: TableSet[] = [
  idempotencyTables,
  settingsTables,
  fraudTables,
  warehouseTables,
  paymentTables,
  fulfillmentTables,
  notifierTables,
  catalogueTables,
];

export async function setupSchema(db: Db, schema: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`simulators-schema:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    for (const { ddl } of TABLE_SETS) await tx.query(ddl);
    await seed(tx);
  });
}

/**
 * Empties every simulator (records, settings, stored idempotent responses) and puts back what a
 * fresh start holds (the default catalogue): for tests.
 */
export async function resetAll(db: Db): Promise<void> {
  const tables = TABLE_SETS.flatMap((set) => set.tables);
  await db.transaction(async (tx) => {
    await tx.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY`);
    await seed(tx);
  });
}

async function seed(tx: Queryable): Promise<void> {
  for (const set of TABLE_SETS) if (set.seed) await tx.query(set.seed);
}
