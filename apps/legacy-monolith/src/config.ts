/**
 * The monolith's configuration, read once from the environment and checked at start-up: every
 * bad variable is named in one message. (Its own code, not the platform's: it stands in for a
 * customer's system.)
 */
export interface MonolithConfig {
  port: number;
  databaseUrl: string;
}

export const DEFAULT_PORT = 3100;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MonolithConfig {
  const problems: string[] = [];
  const rawPort = env.LEGACY_MONOLITH_PORT?.trim() || undefined;
  const port = rawPort === undefined ? DEFAULT_PORT : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`LEGACY_MONOLITH_PORT must be a TCP port (0-65535), got "${rawPort}"`);
  }
  const databaseUrl = env.LEGACY_DATABASE_URL?.trim() ?? '';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('LEGACY_DATABASE_URL is required (a postgres URL)');
  }
  if (problems.length > 0) {
    throw new Error(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { port, databaseUrl };
}
