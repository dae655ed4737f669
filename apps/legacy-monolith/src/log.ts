/** JSON log lines, one object a line, like the platform's processes (but not shared with them). */
export type Log = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export const jsonLog: Log = (level, message, fields = {}) => {
  const serialised = Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      value instanceof Error ? { name: value.name, message: value.message } : value,
    ]),
  );
  const line = { time: new Date().toISOString(), level, service: 'legacy-monolith', message };
  const stream = level === 'error' ? process.stderr : process.stdout;
  stream.write(`${JSON.stringify({ ...line, ...serialised })}\n`);
};
