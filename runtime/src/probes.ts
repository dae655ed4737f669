/** Readiness checks for the three pieces of infrastructure every platform process depends on. */
import { type Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import type { HealthCheck } from './health';
import { checkKafkaSecurity, type KafkaSecurity, kafkaSecurityFromEnv } from './secure-links';

export const postgresCheck = (pool: Pool, name = 'postgres'): HealthCheck => ({
  name,
  check: async () => {
    await pool.query('SELECT 1');
  },
});

/** Over the same TLS and SASL as the app's own Kafka clients (createKafka), or it proves nothing. */
export function kafkaCheck(
  brokers: string[],
  security: KafkaSecurity = kafkaSecurityFromEnv(),
): HealthCheck {
  const { ssl, sasl } = checkKafkaSecurity(security);
  const admin = new Kafka({
    clientId: 'readiness-probe',
    brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
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
