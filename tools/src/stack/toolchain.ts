/**
 * Locates (building or downloading on first use) every binary and jar the stack runs, through
 * tools/toolchain/install.sh, which caches them outside the work tree keyed by version.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TOOLS_DIR } from './versions';

export interface Toolchain {
  /** The Temporal CLI binary (dev server with the Web UI). */
  temporalCli: string;
  /** Folder of Kafka's jars. */
  kafkaLibs: string;
  /** Launcher that execs Temporal's Java time-skipping test server. */
  temporalTestServer: string;
  /** Folder of PostgreSQL's server binaries (initdb, pg_ctl). */
  postgresBin: string;
}

export function installToolchain(): Toolchain {
  const pick = runToolchainScript('install.sh');
  return {
    temporalCli: pick('TEMPORAL_CLI'),
    kafkaLibs: pick('KAFKA_LIBS'),
    temporalTestServer: pick('TEMPORAL_TEST_SERVER'),
    postgresBin: pick('POSTGRES_BIN'),
  };
}

/**
 * Runs a script of tools/toolchain/ (which builds or fetches into the cache, its progress on
 * stderr) and returns a lookup of the `KEY=path` lines it prints, failing on a key it left out.
 */
export function runToolchainScript(script: string): (key: string) => string {
  const output = execFileSync('bash', [join(TOOLS_DIR, 'toolchain', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const paths = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return (key) => {
    const value = paths[key];
    if (!value) throw new Error(`tools/toolchain/${script} did not report ${key}`);
    return value;
  };
}
