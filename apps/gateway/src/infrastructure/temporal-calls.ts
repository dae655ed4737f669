/**
 * Every call the gateway makes to Temporal goes through here: bounded by a deadline (a request
 * never hangs on a workflow no worker is serving), "Temporal unreachable" becomes a 503 with
 * Retry-After, and a workflow that cannot answer (ended before it ran) a 409, instead of a 500.
 */
import { type Client, isGrpcServiceError } from '@temporalio/client';
import { problems } from '../http/problem';

export const TEMPORAL_CALL_MS = 5_000;

/** gRPC CANCELLED, DEADLINE_EXCEEDED and UNAVAILABLE: "not reachable now", not a bug. */
const UNREACHABLE_CODES = [1, 4, 14];
/** gRPC FAILED_PRECONDITION: e.g. a query to a workflow that was ended before it ever ran. */
const FAILED_PRECONDITION = 9;

/** The gRPC status code behind a client error (the client wraps it in a ServiceError). */
function grpcCodeOf(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

export async function callTemporal<T>(
  client: Client,
  call: () => Promise<T>,
  timeoutMs = TEMPORAL_CALL_MS,
): Promise<T> {
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, call);
  } catch (error) {
    const code = grpcCodeOf(error);
    if (code !== undefined && UNREACHABLE_CODES.includes(code)) {
      throw problems.unavailable('The order service is not reachable right now', 5);
    }
    if (code === FAILED_PRECONDITION) {
      throw problems.conflict(
        'order-cannot-answer',
        'The order was stopped before it was processed and cannot answer',
      );
    }
    throw error;
  }
}
