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
  const output = execFileSync('bash', [join(TOOLS_DIR, 'toolchain', 'install.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const paths = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  const pick = (key: string): string => {
    const value = paths[key];
    if (!value) throw new Error(`tools/toolchain/install.sh did not report ${key}`);
    return value;
  };
  return {
    temporalCli: pick('TEMPORAL_CLI'),
    kafkaLibs: pick('KAFKA_LIBS'),
    temporalTestServer: pick('TEMPORAL_TEST_SERVER'),
    postgresBin: pick('POSTGRES_BIN'),
  };
}
