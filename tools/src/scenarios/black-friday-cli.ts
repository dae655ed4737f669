/**
 * `npm run scenario:black-friday`: the full scenario against the local stack that `npm start`
 * runs. It starts a simulators, worker and gateway of its own on that stack (their own task
 * queue and the scenario's settings, so the platform's own apps keep theirs), prints the /ops
 * page to watch with an operator token, runs, prints the report, and exits non-zero when a check
 * fails. `--orders N` and `--minutes M` size the full form (3,000 orders over 10 minutes by
 * default); `--short` runs the form `npm test` runs; `--keep` leaves the apps up to look around.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mintToken, stackTokenKeys } from '@order-platform/runtime';
import { readRunningStack } from '../stack/stack';
import { AppsUnderTest } from '../testing/apps-under-test';
import { runBlackFriday } from './black-friday';
import { formatReport } from './black-friday-report';
import {
  fullForm,
  loadOptions,
  type ScenarioSettings,
  scenarioAppEnv,
  SHORT_FORM,
} from './black-friday-settings';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    orders: { type: 'string' },
    minutes: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
  },
});

async function main(): Promise<number> {
  const stateDir = resolve(values['state-dir'] ?? join(__dirname, '..', '..', '..', '.stack'));
  const stack = readRunningStack(stateDir);
  if (!stack) {
    console.error(`no local stack in ${stateDir}: run \`npm start\` first`);
    return 2;
  }
  if (values.short && (values.orders !== undefined || values.minutes !== undefined)) {
    console.error('--orders and --minutes size the full form; the short form has a fixed size');
    return 2;
  }
  let settings: ScenarioSettings;
  try {
    settings = values.short ? SHORT_FORM : fullForm(loadOptions(values));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  Object.assign(process.env, stack.env);
  const env = scenarioAppEnv(settings);
  const apps = new AppsUnderTest('black-friday');
  try {
    console.log('starting the scenario’s simulators, worker and gateway on the local stack…');
    const simulatorsUrl = await apps.downstream(env.worker);
    const gatewayUrl = await apps.start('gateway', 'gateway', env.gateway);
    const tokenKeys = stackTokenKeys(process.env, stack.env.GATEWAY_JWT_SECRET);
    const watchToken = await mintToken(
      { subject: 'ops-watcher', roles: ['operator'], ttlSeconds: 4 * 3600 },
      tokenKeys,
    );
    console.log(`watch it at ${gatewayUrl}/ops with this operator token:\n${watchToken}\n`);
    const report = await runBlackFriday(
      {
        gatewayUrl,
        simulatorsUrl,
        kafkaBrokers: stack.env.KAFKA_BROKERS.split(','),
        tokenKeys,
      },
      settings,
      (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    );
    console.log(`\n${formatReport(report)}`);
    if (values.keep) {
      console.log(`\nthe apps stay up (${gatewayUrl}/ops); Ctrl-C stops them`);
      await new Promise((resolveWait) => process.once('SIGINT', resolveWait));
    }
    return report.passed ? 0 : 1;
  } finally {
    await apps.stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
