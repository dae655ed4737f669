/**
 * Every call the gateway makes to Temporal goes through here: bounded by a deadline (a request
 * never hangs on a workflow no worker is serving), and "Temporal unreachable" becomes a 503
 * with Retry-After instead of a 500.
 */
import { type Client, isGrpcServiceError } from '@temporalio/client';
import { problems } from '../http/problem';

export const TEMPORAL_CALL_MS = 5_000;

/** gRPC CANCELLED, DEADLINE_EXCEEDED and UNAVAILABLE: "not reachable now", not a bug. */
const UNREACHABLE_CODES = [1, 4, 14];

export function isUnreachable(error: unknown): boolean {
  // The client wraps the gRPC error in a ServiceError; look through the causes.
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    if (isGrpcServiceError(e) && UNREACHABLE_CODES.includes(e.code)) return true;
  }
  return false;
}

export async function callTemporal<T>(
  client: Client,
  call: () => Promise<T>,
  timeoutMs = TEMPORAL_CALL_MS,
): Promise<T> {
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, call);
  } catch (error) {
    if (isUnreachable(error)) {
      throw problems.unavailable('The order service is not reachable right now', 5);
    }
    throw error;
  }
}
