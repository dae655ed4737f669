/**
 * How the platform opens its PostgreSQL database (`order_platform`), in one place: a TypeORM
 * DataSource over the stores' entities (gateway, worker), and a pg pool for the reliable
 * consumer's transactions (legacy adapter), which hand a pg client to their handlers.
 */
import { Pool, type PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { platformDataSourceOptions } from '@order-platform/migrations';
import { OperatorAuditRecord } from './audit/operator-audit.entity';
import { ReconciliationFindingRecord } from './findings/reconciliation-finding.entity';
import { OrderStatusRecord } from './order-status/order-status.entity';
import { OperatorTaskRecord } from './operator-tasks/operator-task.entity';
import { StageRouteRecord } from './routes/stage-route.entity';
import { OrderSubmissionRecord } from './submissions/order-submission.entity';

/** Every table the stores query through TypeORM; the rest are reached with SQL (said where). */
export const PLATFORM_ENTITIES = [
  OrderStatusRecord,
  OrderSubmissionRecord,
  StageRouteRecord,
  OperatorAuditRecord,
  ReconciliationFindingRecord,
  OperatorTaskRecord,
];

export interface PlatformDataSourceOptions {
  /** Names the pool in pg_stat_activity, for whoever is looking at a busy database. */
  applicationName: string;
  /** Bounded: requests beyond the pool wait for a connection instead of opening more. */
  maxConnections?: number;
  connectionTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/**
 * A DataSource on the platform database (call `initialize()`; the caller owns its life). The
 * options are the schema history's (`@order-platform/migrations`), so the tables the entities
 * describe are the tables the migrations made; migrations never run from here, only through
 * `npm run db:migrate`.
 */
export function platformDataSource(url: string, options: PlatformDataSourceOptions): DataSource {
  const extra: Record<string, number> = {};
  if (options.maxConnections !== undefined) extra.max = options.maxConnections;
  if (options.connectionTimeoutMs !== undefined)
    extra.connectionTimeoutMillis = options.connectionTimeoutMs;
  if (options.statementTimeoutMs !== undefined)
    extra.statement_timeout = options.statementTimeoutMs;
  return new DataSource(
    platformDataSourceOptions(url, {
      entities: PLATFORM_ENTITIES,
      migrationsRun: false,
      applicationName: options.applicationName,
      extra,
    }),
  );
}

/**
 * A named (prepared) statement: each connection parses and plans it once and then only binds
 * and executes it. On the connection of the query runner an EntityManager carries (the one
 * `DataSource.transaction` hands its callback), else on the DataSource's own pg pool. For the
 * statements every request runs; the pool, its limits, timeouts and type parsing are the
 * DataSource's. A migration that changes the type of a column one of them returns makes each
 * pooled connection fail it once ("cached plan must not change result type"): restart the apps
 * after such a migration.
 */
export async function preparedQuery<Row>(
  db: DataSource | EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const runner = db instanceof EntityManager ? db.queryRunner : undefined;
  if (runner) {
    // Never beside the runner's transaction: there it would neither see its rows nor hold locks.
    if (runner.isReleased) throw new Error(`${name}: its transaction has ended`);
    const client = (await runner.connect()) as PoolClient;
    return (await client.query({ name, text, values })).rows as Row[];
  }
  const source = db instanceof EntityManager ? db.dataSource : db;
  const pool = (source.driver as unknown as { master: Pool }).master;
  return (await pool.query({ name, text, values })).rows as Row[];
}

/** What a pool reports its lost connections to (the runtime's logger fits). */
export interface ConnectionLossLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A pg pool that survives its server restarting: an idle connection the server closes emits
 * 'error' on the pool, which without a listener crashes the process. The pool replaces the
 * connection on next use; the readiness check reports the outage meanwhile.
 */
export function createPgPool(
  connectionString: string,
  logger: ConnectionLossLogger,
  max = 4,
): Pool {
  const pool = new Pool({ connectionString, max });
  pool.on('error', (error) => logger.warn('idle PostgreSQL connection lost', { error }));
  // A connection checked out when the server goes away emits 'error' too, and pg-pool listens
  // only while it is idle: without this a restart of PostgreSQL mid-query ended the process.
  // The query in flight still fails, and its caller retries.
  pool.on('connect', (client) =>
    client.on('error', (error) => logger.warn('PostgreSQL connection lost', { error })),
  );
  return pool;
}
