/**
 * Structured JSON logs, one object a line, for every platform process. Fields are the caller's:
 * pass ids and stages, never personal data (names, addresses, card numbers).
 */
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
          ...serialise(fields),
        }),
      );
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function serialise(fields: Record<string, unknown>): Record<string, unknown> {
  // The common case (an access line: ids, numbers) has no error to flatten: no copy.
  if (!Object.values(fields).some((value) => value instanceof Error)) return fields;
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      value instanceof Error ? { name: value.name, message: value.message } : value,
    ]),
  );
}
