/**
 * Structured JSON logs, one object a line, for every platform process: `time`, `level`,
 * `service`, `message`, the trace and span id of the active span (runtime/src/tracing.ts), the
 * fields of the surrounding log context (`withLogFields`: the order and workflow a request, an
 * activity or a message is about) and the caller's fields. Errors keep their stack. Fields are
 * the caller's: pass ids and stages, never personal data; as a net, values under names that hold
 * personal data or secrets (`SENSITIVE_FIELD`) are replaced by "[redacted]" at any depth.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Standard output, one write per turn of the event loop for all the lines logged in it, instead
 * of one write each (a synchronous system call when stdout is a file, as under `npm start`): the
 * gateway's access log wrote a line per request. A line waits at most that one turn, and what is
 * pending is written on exit (also after an uncaught exception); a SIGKILL can lose the last
 * turn's lines, not more.
 */
let stdoutBatch: string[] | undefined;
function writeToStdout(line: string): void {
  if (!stdoutBatch) {
    stdoutBatch = [];
    process.on('exit', flushStdout);
  }
  if (stdoutBatch.push(line + '\n') === 1) setImmediate(flushStdout);
}
function flushStdout(): void {
  if (!stdoutBatch?.length) return;
  const chunk = stdoutBatch.join('');
  stdoutBatch.length = 0;
  process.stdout.write(chunk);
}

export function createLogger(
  service: string,
  minimum: LogLevel = 'info',
  write: (line: string) => void = writeToStdout,
): Logger {
  const threshold = LOG_LEVELS.indexOf(minimum);
  const emit =
    (level: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level,
          service,
          message,
          ...traceFields(),
          ...logContext.getStore(),
          ...(serialise(fields, 0) as Record<string, unknown>),
        }),
      );
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** The fields every line logged while `fn` runs carries (merged over any outer ones). */
const logContext = new AsyncLocalStorage<Record<string, unknown>>();
export function withLogFields<T>(fields: Record<string, unknown>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

function traceFields(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/**
 * Field names whose values are personal data or secrets, whatever the caller meant: a shipping
 * address, a customer's name or contact, credentials and tokens. Ids (`customerId`, `orderId`)
 * are not matched.
 */
export const SENSITIVE_FIELD =
  /^(authorization|cookie|set-cookie|password|passwd|secret|.*(token|secret|password)|jwt|shippingaddress|address|line1|line2|postalcode|email|phone|name|firstname|lastname|fullname|card|cardnumber|iban)$/i;
const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

function serialise(value: unknown, depth: number): unknown {
  if (value instanceof Error) {
    const error: Record<string, unknown> = {
      name: value.name,
      message: value.message,
      stack: value.stack,
    };
    if (value.cause !== undefined && depth < MAX_DEPTH) {
      error.cause = serialise(value.cause, depth + 1);
    }
    return error;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => serialise(item, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SENSITIVE_FIELD.test(key) ? REDACTED : serialise(item, depth + 1);
  }
  return copy;
}
