// Integration suites share one real stack per run: PostgreSQL, Kafka and the Temporal dev
// server on free ports in a temporary folder, started by the same command users run
// (`platform stack-up`), migrated, and destroyed by the global teardown.
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..', '..');
const PLATFORM = [
  '--enable-source-maps',
  '-r',
  '@swc-node/register',
  join(ROOT, 'tools/src/cli/platform.ts'),
];

module.exports = async function globalSetup() {
  const stateDir = mkdtempSync(join(tmpdir(), 'order-platform-test-'));
  const envFile = join(stateDir, 'env.json');
  process.env.ORDER_TEST_STACK_DIR = stateDir;
  execFileSync(
    process.execPath,
    [...PLATFORM, 'stack-up', '--ephemeral', '--state-dir', stateDir, '--write-env', envFile],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL ?? '' },
    },
  );
  Object.assign(process.env, JSON.parse(readFileSync(envFile, 'utf8')));
};

module.exports.PLATFORM = PLATFORM;
module.exports.ROOT = ROOT;
