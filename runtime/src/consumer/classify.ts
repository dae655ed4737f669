/**
 * The one answer every consumer gives to a failure: is the message bad, or is a dependency down?
 *
 * - **bad**: the message can never be applied as it is (undecodable, invalid against the fact
 *   contract, refers to nothing after a bound, a business refusal that will not change, a
 *   constraint or data error about its own row). It goes to the dead-letter topic at once.
 * - **dependency down**: Temporal, PostgreSQL, Kafka or a downstream did not answer (connection
 *   refused or lost, deadline, unavailable, 5xx). Not the message's fault: its partition waits
 *   with capped backoff, however long that takes, and never dead-letters it.
 * - **unclassified**: anything else (a bug in a handler, say). Retried a few times, then
 *   dead-lettered with its reason, so a bug cannot wedge a partition forever; replayable once
 *   fixed.
 *
 * Handlers say it themselves where they know better by throwing `BadMessage` or
 * `DependencyDown`; the rest is read from the error (pg SQLSTATEs, gRPC status codes, kafkajs
 * error types, Node's socket error codes), looking through `cause` chains.
 */

/** The message can never be applied as it is: dead-lettered at once with this reason. */
export class BadMessage extends Error {
  override readonly name = 'BadMessage';
}

/** A dependency did not answer: the partition waits for it; never dead-lettered. */
export class DependencyDown extends Error {
  override readonly name = 'DependencyDown';
  constructor(
    readonly dependency: string,
    cause: unknown,
  ) {
    super(`${dependency} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

export type Classification =
  | { kind: 'bad'; reason: string }
  | { kind: 'dependency-down'; dependency: string; reason: string }
  | { kind: 'unclassified'; reason: string };

/** Node's socket errors: whoever we were talking to is not there. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * gRPC status codes (Temporal's client) that mean the server is away or overloaded, or that the
 * platform is misconfigured against it: never the message's fault.
 */
const GRPC_DEPENDENCY_CODES = new Set([
  1, // CANCELLED (a call cut by a dropped connection)
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
  7, // PERMISSION_DENIED
  16, // UNAUTHENTICATED
]);
/** gRPC codes that refuse this request for what it says, whenever it is sent. */
const GRPC_BAD_CODES = new Set([
  3, // INVALID_ARGUMENT
  11, // OUT_OF_RANGE
]);

/** kafkajs protocol errors about the record itself, not the broker. */
const KAFKA_BAD_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/** pg's own errors when the server or the pool is out of reach (they carry no SQLSTATE). */
const PG_CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection error and is not queryable/i,
  /client was closed and is not queryable/i,
  /cannot use a pool after calling end/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** A PostgreSQL SQLSTATE: is it about the data this message brought, or about the server? */
function classifySqlState(code: string, message: string): Classification | undefined {
  if (!/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const klass = code.slice(0, 2);
  // 22: data exception (too long, out of range, bad text); 23: a constraint refuses the row.
  if (klass === '22' || klass === '23') return { kind: 'bad', reason: `${code} ${message}` };
  // 08: connection; 53: resources (disk, memory, connections); 57P0x: shut down or starting;
  // 58: system I/O; 40: a serialization failure or deadlock, which goes away when tried again.
  if (['08', '53', '57', '58', '40', 'XX'].includes(klass)) {
    return { kind: 'dependency-down', dependency: 'postgres', reason: `${code} ${message}` };
  }
  return undefined;
}

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  severity?: unknown;
}

function one(error: unknown, where?: string): Classification | undefined {
  if (error instanceof BadMessage) return { kind: 'bad', reason: error.message };
  if (error instanceof DependencyDown) {
    return { kind: 'dependency-down', dependency: error.dependency, reason: error.message };
  }
  if (error instanceof SyntaxError) return { kind: 'bad', reason: `undecodable: ${error.message}` };
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';

  // PostgreSQL: node-postgres errors carry the SQLSTATE in `code` and a `severity`.
  if (typeof e.code === 'string' && typeof e.severity === 'string') {
    const byState = classifySqlState(e.code, message);
    if (byState) return byState;
  }
  if (PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) {
    return { kind: 'dependency-down', dependency: 'postgres', reason: message };
  }

  // kafkajs: its errors name themselves; protocol errors carry the broker's `type`.
  if (name.startsWith('KafkaJS')) {
    if (typeof e.type === 'string' && KAFKA_BAD_TYPES.has(e.type)) {
      return { kind: 'bad', reason: `${e.type}: ${message}` };
    }
    return { kind: 'dependency-down', dependency: 'kafka', reason: `${name}: ${message}` };
  }

  // gRPC (Temporal): a numeric status `code`, on the error or on its cause.
  if (typeof e.code === 'number' && ('details' in e || 'metadata' in e)) {
    if (GRPC_DEPENDENCY_CODES.has(e.code)) {
      return { kind: 'dependency-down', dependency: where ?? 'temporal', reason: message };
    }
    if (GRPC_BAD_CODES.has(e.code)) return { kind: 'bad', reason: message };
  }
  // Temporal's client when it cannot reach the server at all.
  if (name === 'ServiceError' && /failed to connect/i.test(message)) {
    return { kind: 'dependency-down', dependency: 'temporal', reason: message };
  }

  // Sockets: the dependency is named by whoever wrapped the error, if anyone did.
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return { kind: 'dependency-down', dependency: where ?? 'network', reason: message || e.code };
  }
  // A downstream over HTTP: 5xx and 429 are its trouble, not the message's.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && (status >= 500 || status === 429)) {
    return { kind: 'dependency-down', dependency: where ?? 'downstream', reason: message };
  }
  return undefined;
}

/** Classifies a failure, looking through its `cause` chain (at most a few levels deep). */
export function classifyFailure(error: unknown): Classification {
  let current: unknown = error;
  let where: string | undefined;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    const found = one(current, where);
    if (found) return found;
    // Temporal's client wraps gRPC errors in a ServiceError: its cause is about Temporal.
    if ((current as ErrorShape).name === 'ServiceError') where = 'temporal';
    current = (current as ErrorShape).cause;
  }
  return {
    kind: 'unclassified',
    reason: error instanceof Error ? error.message : String(error),
  };
}
