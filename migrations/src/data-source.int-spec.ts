/**
 * The platform's schema history on the stack's real PostgreSQL: every migration can be reverted
 * and applied again (a bad deploy can be rolled back step by step), and the history table
 * records both.
 */
import { Client } from 'pg';
import { migrate, MIGRATIONS_TABLE, PLATFORM_MIGRATIONS, revertLastMigration } from './data-source';

const url = (): string => {
  const value = process.env.DATABASE_URL;
  if (!value) throw new Error('DATABASE_URL is not set: run through the integration suite');
  return value;
};

/** A table or an index (`name`), a column of a table (`table.column`), or a function (`name()`). */
async function schemaObjectExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: url() });
  await client.connect();
  try {
    const [table, column] = name.split('.');
    const result = column
      ? await client.query(
          `SELECT 1 AS oid FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`,
          [table, column],
        )
      : name.endsWith('()')
        ? await client.query('SELECT to_regprocedure($1) AS oid', [name])
        : await client.query('SELECT to_regclass($1) AS oid', [table]);
    return result.rows.length > 0 && result.rows[0].oid !== null;
  } finally {
    await client.end();
  }
}

/** The table (or `table.column`, index or function) each migration creates, in the order they apply. */
const TABLE_OF_MIGRATION: Record<string, string> = {
  CreateInbox1795430000000: 'inbox_event',
  CreateOrderStatus1795430100000: 'order_status',
  CreateOrderSubmission1795430200000: 'order_submission',
  CreateOperatorAudit1795430300000: 'operator_audit',
  CreateStranglerTables1795430400000: 'stage_route',
  CreateReconciliationFinding1795430500000: 'reconciliation_finding',
  CreateDegradedMode1795430600000: 'degraded_mode',
  CreateLegacyFactParked1795430700000: 'legacy_fact_parked',
  AddSubmissionStartState1795431300000: 'order_submission.start_state',
  CreatePostHocReview1795431400000: 'post_hoc_review',
  GeneraliseOperatorTask1795431500000: 'operator_task.kind',
  IndexOrdersWithReturns1795431600000: 'order_status_with_returns_idx',
  CreateDeadLetter1795431700000: 'dead_letter',
  CreateOrderPersonalData1795431800000: 'order_personal_data',
  CreateSharedAdmission1795432000000: 'admission_window',
  CreateWorkerCircuit1795432100000: 'worker_circuit',
  AddComparisonSubject1795432200000: 'stage_comparison.subject',
  CreateCustomerNotification1795432300000: 'customer_notification',
  NotifyOrderReadChanges1795432400000: 'notify_order_read_changed()',
};

/** Tables a later migration renamed, and that migration: gone while it is applied. */
const RENAMED_BY: Record<string, string> = {
  post_hoc_review: 'GeneraliseOperatorTask1795431500000',
};
const existsWith = (table: string, applied: readonly string[]): boolean =>
  !(RENAMED_BY[table] !== undefined && applied.includes(RENAMED_BY[table]));

describe('the platform schema history on PostgreSQL', () => {
  it('reverts every migration, newest first, one step at a time, and applies them again', async () => {
    // The suite's global setup migrated the database already.
    const names = PLATFORM_MIGRATIONS.map((migration) => new migration().name);
    expect(names).toEqual(Object.keys(TABLE_OF_MIGRATION));
    expect(await migrate(url())).toEqual([]);

    // Each step takes only its own table: the older ones stay until their turn.
    for (const [index, name] of [...names.entries()].reverse()) {
      await revertLastMigration(url());
      expect(await schemaObjectExists(TABLE_OF_MIGRATION[name]!)).toBe(false);
      const applied = names.slice(0, index);
      for (const older of applied) {
        const table = TABLE_OF_MIGRATION[older]!;
        expect(await schemaObjectExists(table)).toBe(existsWith(table, applied));
      }
    }

    expect(await migrate(url())).toEqual(names);
    for (const table of Object.values(TABLE_OF_MIGRATION))
      expect(await schemaObjectExists(table)).toBe(existsWith(table, names));
    expect(await schemaObjectExists(MIGRATIONS_TABLE)).toBe(true);
  });
});
