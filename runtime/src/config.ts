/**
 * Typed configuration read once from the environment at start-up. Each app declares what it
 * needs; every problem is reported together, with the variable's name, before anything starts.
 */
export type ConfigSpec<T> = { [K in keyof T]: (env: NodeJS.ProcessEnv) => T[K] };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Thrown by a reader for a bad value; any other error is a bug and escapes. */
export class ConfigProblem extends Error {}

export function loadConfig<T>(spec: ConfigSpec<T>, env: NodeJS.ProcessEnv = process.env): T {
  const problems: string[] = [];
  const config = {} as T;
  for (const key of Object.keys(spec) as (keyof T)[]) {
    try {
      config[key] = spec[key](env);
    } catch (error) {
      if (!(error instanceof ConfigProblem)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const read = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
};

/** Readers for `ConfigSpec` entries. */
export const env = {
  string:
    (name: string, fallback?: string) =>
    (e: NodeJS.ProcessEnv): string => {
      const value = read(e, name) ?? fallback;
      if (value === undefined) throw new ConfigProblem(`${name} is required`);
      return value;
    },

  url:
    (name: string, protocols: string[], fallback?: string) =>
    (e: NodeJS.ProcessEnv): string => {
      const value = read(e, name) ?? fallback;
      if (value === undefined)
        throw new ConfigProblem(`${name} is required (${protocols.join(' or ')} URL)`);
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigProblem(`${name} is not a URL`);
      }
      if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
        throw new ConfigProblem(`${name} must be a ${protocols.join(' or ')} URL`);
      }
      return value;
    },

  port:
    (name: string, fallback: number) =>
    (e: NodeJS.ProcessEnv): number => {
      const raw = read(e, name);
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(value) || value < 0 || value > 65535) {
        throw new ConfigProblem(`${name} must be a TCP port (0-65535), got "${raw}"`);
      }
      return value;
    },

  /** An integer within [min, max]. */
  int:
    (name: string, fallback: number, range: { min: number; max: number }) =>
    (e: NodeJS.ProcessEnv): number => {
      const raw = read(e, name);
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(value) || value < range.min || value > range.max) {
        throw new ConfigProblem(
          `${name} must be an integer from ${range.min} to ${range.max}, got "${raw}"`,
        );
      }
      return value;
    },

  /** A finite number within [min, max] (a rate, a ratio). */
  number:
    (name: string, fallback: number, range: { min: number; max: number }) =>
    (e: NodeJS.ProcessEnv): number => {
      const raw = read(e, name);
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isFinite(value) || value < range.min || value > range.max) {
        throw new ConfigProblem(
          `${name} must be a number from ${range.min} to ${range.max}, got "${raw}"`,
        );
      }
      return value;
    },

  /** A secret: required, and at least `minLength` characters so nobody runs with "secret". */
  secret:
    (name: string, minLength: number) =>
    (e: NodeJS.ProcessEnv): string => {
      const value = read(e, name);
      if (value === undefined) throw new ConfigProblem(`${name} is required`);
      if (value.length < minLength)
        throw new ConfigProblem(`${name} must be at least ${minLength} characters`);
      return value;
    },

  /** Comma-separated values; empty when unset. */
  list:
    (name: string) =>
    (e: NodeJS.ProcessEnv): string[] =>
      (read(e, name) ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),

  /** host:port pairs separated by commas. */
  hostPorts:
    (name: string, fallback?: string) =>
    (e: NodeJS.ProcessEnv): string[] => {
      const value = read(e, name) ?? fallback;
      if (value === undefined)
        throw new ConfigProblem(`${name} is required (host:port[,host:port])`);
      const entries = value.split(',').map((s) => s.trim());
      const bad = entries.filter((s) => !/^[\w.-]+:\d{1,5}$/.test(s));
      if (bad.length > 0)
        throw new ConfigProblem(`${name} has entries that are not host:port: ${bad.join(', ')}`);
      return entries;
    },

  oneOf:
    <V extends string>(name: string, allowed: readonly V[], fallback: V) =>
    (e: NodeJS.ProcessEnv): V => {
      const value = (read(e, name) ?? fallback) as V;
      if (!allowed.includes(value))
        throw new ConfigProblem(`${name} must be one of ${allowed.join(', ')}`);
      return value;
    },
};
