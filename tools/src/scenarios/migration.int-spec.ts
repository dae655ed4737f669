/**
 * The migration scenario, short form, on the real stack: the sample monolith, the platform and
 * the facade, apps of its own with a small promotion bar and a short comparator grace, driven
 * through their public APIs from every stage legacy to the monolith deciding nothing. The full
 * form is `npm run scenario:migration`.
 */
import { mintToken, stackTokenKeys } from '@order-platform/runtime';
import { eventually } from '../testing/eventually';
import { suiteEnv } from '../testing/suite-env';
import { resetRoutes, runMigration } from './migration';
import { type MigrationApps, startMigrationApps } from './migration-apps';
import { migrationClient } from './migration-client';
import { formatReport } from './migration-report';
import { SHORT_FORM } from './migration-settings';

describe('a whole migration under steady traffic, from the monolith to the platform', () => {
  const tokenKeys = stackTokenKeys(process.env, suiteEnv('GATEWAY_JWT_SECRET'));
  let apps: MigrationApps | undefined;

  beforeAll(async () => {
    apps = await startMigrationApps(SHORT_FORM, tokenKeys);
  }, 180_000);
  afterAll(async () => {
    if (apps) {
      const operator = await mintToken(
        { subject: 'migration-teardown', roles: ['operator'] },
        tokenKeys,
      );
      // The suites after this one start from legacy, as a fresh platform does: the routes, and
      // the monolith deciding every stage again once the hand-over sync has carried them over.
      const client = migrationClient(apps.target);
      await resetRoutes(client, operator).catch(() => undefined);
      await eventually('the monolith to decide every stage again', async () => {
        const { body } = await client.monolith('GET', '/settings');
        const { handover } = body as { handover: Record<string, number> };
        return Object.values(handover).every((share) => share === 0) ? handover : undefined;
      });
      await apps.stop();
    }
  }, 120_000);

  it('moves every stage and intake to the platform, refuses the divergence, and loses, double-charges and mis-tells nothing', async () => {
    const report = await runMigration(apps!.target, SHORT_FORM, (line) =>
      process.stderr.write(`[migration] ${line}\n`),
    );
    process.stderr.write(`${formatReport(report)}\n`);
    expect(report.checks.filter((check) => !check.passed)).toEqual([]);
    expect(report.phases.reduce((n, p) => n + p.orders, 0)).toBeGreaterThan(0);
  }, 900_000);
});
