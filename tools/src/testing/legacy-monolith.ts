/** Test helpers for suites that drive the sample monolith and mirror it. */
import { Client as PgClient } from 'pg';
import { suiteEnv } from './suite-env';

/**
 * The facts the mirror carries for an order the sample monolith accepts, in the order it writes
 * them: the placement, its own decisions, and the customer told of it in the same transaction.
 */
export const MONOLITH_ACCEPTED_FACTS = [
  'LegacyOrderPlaced',
  'LegacyFraudDecided',
  'LegacyStockReserved',
  'LegacyPaymentAuthorized',
  'LegacyOrderAccepted',
  'LegacyCustomerNotified',
] as const;

/** Calls the sample monolith's HTTP API; throws on anything but 2xx. */
export async function monolithCall(
  monolithUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${monolithUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(reply)}`);
  return reply;
}

/** A replication slot left behind would hold the test database's WAL for ever. */
export async function dropReplicationSlot(slot: string): Promise<void> {
  const legacyDb = new PgClient({ connectionString: suiteEnv('LEGACY_DATABASE_URL') });
  await legacyDb.connect();
  try {
    await legacyDb.query(
      'SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1',
      [slot],
    );
  } finally {
    await legacyDb.end();
  }
}
