/**
 * The Black Friday scenario, short form, on the real stack: a simulators, worker and gateway of
 * its own, configured as the scenario needs (short SLAs, a small admission bound), driven through
 * their public APIs. The full form is `npm run scenario:black-friday`.
 */
import { stackTokenKeys } from '@order-platform/runtime';
import { AppsUnderTest } from '../testing/apps-under-test';
import { suiteEnv } from '../testing/suite-env';
import { runBlackFriday } from './black-friday';
import { formatReport } from './black-friday-report';
import { SHORT_FORM, scenarioAppEnv } from './black-friday-settings';

describe('Black Friday: the fraud provider falls far behind during a burst, then recovers', () => {
  const apps = new AppsUnderTest('black-friday');
  const env = scenarioAppEnv(SHORT_FORM);
  let gatewayUrl: string;
  let simulatorsUrl: string;

  beforeAll(async () => {
    simulatorsUrl = await apps.downstream(env.worker);
    gatewayUrl = await apps.start('gateway', 'gateway', env.gateway);
  }, 120_000);
  afterAll(() => apps.stopAll());

  it('stays truthful, degrades and recovers, sheds load, drains, and leaves nothing to repair', async () => {
    const report = await runBlackFriday(
      {
        gatewayUrl,
        simulatorsUrl,
        kafkaBrokers: suiteEnv('KAFKA_BROKERS').split(','),
        tokenKeys: stackTokenKeys(process.env, suiteEnv('GATEWAY_JWT_SECRET')),
      },
      SHORT_FORM,
      (line) => process.stderr.write(`[black-friday] ${line}\n`),
    );
    process.stderr.write(`${formatReport(report)}\n`);
    expect(report.checks.filter((check) => !check.passed)).toEqual([]);
    expect(report.admitted).toBeGreaterThan(0);
    expect(report.degradedSwitches.map((s) => s.active)).toEqual(
      expect.arrayContaining([true, false]),
    );
  }, 600_000);
});
