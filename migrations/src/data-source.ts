/**
 * One schema history for the platform's own tables. The stores (`@order-platform/stores`) open
 * the apps' DataSource on these options with their entities; migrations are applied once, by
 * `npm run db:migrate` (and `npm start`), never by an app racing another at start-up.
 */
import { DataSource, type DataSourceOptions } from 'typeorm';
import { CreateInbox1795430000000 } from './migrations/1795430000000-create-inbox';
import { CreateOrderStatus1795430100000 } from './migrations/1795430100000-create-order-status';
import { CreateOrderSubmission1795430200000 } from './migrations/1795430200000-create-order-submission';
import { CreateOperatorAudit1795430300000 } from './migrations/1795430300000-create-operator-audit';
import { CreateStranglerTables1795430400000 } from './migrations/1795430400000-create-strangler-tables';
import { CreateReconciliationFinding1795430500000 } from './migrations/1795430500000-create-reconciliation-finding';
import { CreateDegradedMode1795430600000 } from './migrations/1795430600000-create-degraded-mode';
import { CreateLegacyFactParked1795430700000 } from './migrations/1795430700000-create-legacy-fact-parked';
import { AddSubmissionStartState1795431300000 } from './migrations/1795431300000-add-submission-start-state';
import { CreatePostHocReview1795431400000 } from './migrations/1795431400000-create-post-hoc-review';
import { GeneraliseOperatorTask1795431500000 } from './migrations/1795431500000-generalise-operator-task';
import { IndexOrdersWithReturns1795431600000 } from './migrations/1795431600000-index-orders-with-returns';
import { CreateDeadLetter1795431700000 } from './migrations/1795431700000-create-dead-letter';
import { CreateOrderPersonalData1795431800000 } from './migrations/1795431800000-create-order-personal-data';
import { CreateSharedAdmission1795432000000 } from './migrations/1795432000000-create-shared-admission';
import { CreateWorkerCircuit1795432100000 } from './migrations/1795432100000-create-worker-circuit';
import { AddComparisonSubject1795432200000 } from './migrations/1795432200000-add-comparison-subject';
import { CreateCustomerNotification1795432300000 } from './migrations/1795432300000-create-customer-notification';
import { NotifyOrderReadChanges1795432400000 } from './migrations/1795432400000-notify-order-read-changes';

/** In the order they apply. */
export const PLATFORM_MIGRATIONS = [
  CreateInbox1795430000000,
  CreateOrderStatus1795430100000,
  CreateOrderSubmission1795430200000,
  CreateOperatorAudit1795430300000,
  CreateStranglerTables1795430400000,
  CreateReconciliationFinding1795430500000,
  CreateDegradedMode1795430600000,
  CreateLegacyFactParked1795430700000,
  AddSubmissionStartState1795431300000,
  CreatePostHocReview1795431400000,
  GeneraliseOperatorTask1795431500000,
  IndexOrdersWithReturns1795431600000,
  CreateDeadLetter1795431700000,
  CreateOrderPersonalData1795431800000,
  CreateSharedAdmission1795432000000,
  CreateWorkerCircuit1795432100000,
  AddComparisonSubject1795432200000,
  CreateCustomerNotification1795432300000,
  NotifyOrderReadChanges1795432400000,
];

export const MIGRATIONS_TABLE = 'schema_migrations';

export function platformDataSourceOptions(
  url: string,
  extra: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: PLATFORM_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    ...extra,
  } as DataSourceOptions;
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = await new DataSource(platformDataSourceOptions(url)).initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the most recent migration. */
export async function revertLastMigration(url: string): Promise<void> {
  const dataSource = await new DataSource(platformDataSourceOptions(url)).initialize();
  try {
    await dataSource.undoLastMigration();
  } finally {
    await dataSource.destroy();
  }
}
