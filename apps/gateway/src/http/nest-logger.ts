/**
 * Nest's own log lines (start-up, its exception handler) in the platform's JSON format, through
 * the gateway's logger. Nest's `log` and `verbose` lines (every route it maps at start) are
 * debug: at the default level only its warnings and errors show, as before.
 */
import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@order-platform/runtime';

export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...line(message, params));
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...line(message, params));
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...line(message, params));
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(...line(message, params));
  }
  error(message: unknown, ...params: unknown[]): void {
    this.logger.error(...line(message, params, true));
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.error(...line(message, params, true));
  }
}

/**
 * Nest calls `(message, context?)`, and for errors `(message, stack?, context?)`; the message may
 * be an Error or an object. The context (the class that logged) becomes a field.
 */
export function line(
  message: unknown,
  params: unknown[],
  isError = false,
): [string, Record<string, unknown>] {
  const rest = [...params];
  const fields: Record<string, unknown> = { component: 'nest' };
  if (typeof rest.at(-1) === 'string' && (rest.length > 1 || !isError || !looksLikeStack(rest[0])))
    fields.context = rest.pop();
  for (const param of rest) {
    if (param instanceof Error) fields.error = param;
    else if (typeof param === 'string' && looksLikeStack(param)) fields.stack = param;
    else if (param !== undefined) fields.detail = param;
  }
  if (message instanceof Error) return [message.message, { ...fields, error: message }];
  if (typeof message === 'string') return [message, fields];
  return ['nest', { ...fields, detail: message }];
}

const looksLikeStack = (value: unknown): boolean =>
  typeof value === 'string' && /\n\s+at /.test(value);
