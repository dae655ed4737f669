/** Readiness checks for the three pieces of infrastructure every platform process depends on. */
import { type Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import type { HealthCheck } from './health';
import type { Logger } from './logger';

export const postgresCheck = (pool: Pool, name = 'postgres'): HealthCheck => ({
  name,
  check: async () => {
    await pool.query('SELECT 1');
  },
});

export function kafkaCheck(brokers: string[]): HealthCheck {
  const admin = new Kafka({
    clientId: 'readiness-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
  }).admin();
  return {
    name: 'kafka',
    check: async () => {
      await admin.connect();
      await admin.describeCluster();
    },
  };
}

export const temporalCheck = (connection: Connection): HealthCheck => ({
  name: 'temporal',
  check: async () => {
    await connection.workflowService.getSystemInfo({});
  },
});

/**
 * A pg pool that survives its server restarting: an idle connection the server closes emits
 * 'error' on the pool, which without a listener crashes the process. The pool replaces the
 * connection on next use; the readiness check reports the outage meanwhile.
 */
export function createPgPool(connectionString: string, logger: Logger, max = 4): Pool {
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
