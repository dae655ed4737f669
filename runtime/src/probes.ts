/** Readiness checks for the three pieces of infrastructure every platform process depends on. */
import { type Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import type { HealthCheck } from './health';

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
