/**
 * `npm run scenario:migration`: the full migration scenario on the local stack that
 * `npm run stack:up` (then `npm run db:migrate`) runs, best without `npm start`'s apps (their
 * legacy adapter would mirror and compare the same monolith database). Like the Black Friday
 * scenario, it starts apps of its own on that stack (the sample monolith, simulators, worker,
 * legacy adapter, gateway and facade, on free ports and their own task queue, with the
 * scenario's promotion bar and comparator grace), runs, prints the report, puts every route back
 * to legacy and exits non-zero when a check fails. `--short` runs the form `npm test` runs;
 * `--rate`, `--phase-seconds` and `--min-sample` change the traffic, how long each step holds
 * and the bar; `--keep` leaves the apps and the end state up to look around. */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mintToken, stackTokenKeys } from '@order-platform/runtime';
import { readRunningStack } from '../stack/stack';
import { resetRoutes, runMigration } from './migration';
import { startMigrationApps } from './migration-apps';
import { migrationClient } from './migration-client';
import { formatReport } from './migration-report';
import { FULL_FORM, type MigrationSettings, SHORT_FORM } from './migration-settings';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    rate: { type: 'string' },
    'phase-seconds': { type: 'string' },
    'min-sample': { type: 'string' },
    'state-dir': { type: 'string' },
  },
});

function settingsFromArgs(): MigrationSettings {
  const settings = { ...(values.short ? SHORT_FORM : FULL_FORM) };
  const positive = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return value;
  };
  settings.ordersPerSecond = positive('rate', values.rate) ?? settings.ordersPerSecond;
  const phaseSeconds = positive('phase-seconds', values['phase-seconds']);
  if (phaseSeconds !== undefined) settings.phaseMs = phaseSeconds * 1000;
  const minSample = positive('min-sample', values['min-sample']);
  if (minSample !== undefined) settings.promotionMinSample = Math.ceil(minSample);
  return settings;
}

async function main(): Promise<number> {
  const stateDir = resolve(values['state-dir'] ?? join(__dirname, '..', '..', '..', '.stack'));
  const stack = readRunningStack(stateDir);
  if (!stack) {
    console.error(
      `no local stack in ${stateDir}: run \`npm run stack:up && npm run db:migrate\` first`,
    );
    return 2;
  }
  Object.assign(process.env, stack.env);
  let settings: MigrationSettings;
  try {
    settings = settingsFromArgs();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const tokenKeys = stackTokenKeys(process.env, stack.env.GATEWAY_JWT_SECRET);
  console.log('starting the scenario’s monolith, simulators, worker, adapter, gateway and facade…');
  const apps = await startMigrationApps(settings, tokenKeys);
  const operator = await mintToken(
    { subject: 'migration-operator', roles: ['operator'], ttlSeconds: 4 * 3600 },
    tokenKeys,
  );
  try {
    console.log(
      `watch it at ${apps.target.gatewayUrl}/ops with this operator token:\n${operator}\n`,
    );
    const report = await runMigration(apps.target, settings, (line) =>
      console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    );
    console.log(`\n${formatReport(report)}`);
    if (values.keep) {
      console.log(`\nthe apps stay up (${apps.target.gatewayUrl}/ops); Ctrl-C stops them`);
      await new Promise((resolveWait) => process.once('SIGINT', resolveWait));
    }
    return report.passed ? 0 : 1;
  } finally {
    await resetRoutes(migrationClient(apps.target), operator).catch((error: unknown) =>
      console.error(`could not put the routes back to legacy: ${String(error)}`),
    );
    await apps.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
