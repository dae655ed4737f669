/**
 * The published contract holds: schemathesis (from PyPI) generates requests from /docs-json, valid
 * and invalid, sends them to the running gateway on the real platform, and checks that no answer
 * is a 5xx and every answer has a documented status, content type and body shape. Customer paths
 * run with a customer's token, operator paths with an operator's.
 */
import { Client as PgClient } from 'pg';
import { AppsUnderTest, runSchemathesis, suiteEnv } from '@order-platform/tools';
import type { Role } from './auth/tokens';
import { tokenFor } from './testing/test-tokens';

describe('the OpenAPI contract, checked by schemathesis against the running gateway', () => {
  const apps = new AppsUnderTest('gateway-contract');
  let gateway: string;

  beforeAll(async () => {
    await apps.downstream();
    // Generous per-customer limits: the run is one customer sending hundreds of requests.
    gateway = await apps.start('gateway', 'gateway', {
      RATE_LIMIT_ORDERS_BURST: '1000',
      RATE_LIMIT_ORDERS_PER_MINUTE: '10000',
    });
  }, 240_000);

  afterAll(async () => {
    await apps.stopAll();
    // The run sends real PUTs to /v1/ops/routing: put the shared routes back to the seed.
    const db = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await db.connect();
    await db.query(`UPDATE stage_route SET mode = 'legacy', new_percent = 100`);
    await db.end();
  }, 60_000);

  it.each([
    ['orders', 'customer'],
    ['operations', 'operator'],
  ] as [string, Role][])(
    '%s paths (as a %s)',
    async (tag, role) => {
      const token = await tokenFor(role, `schemathesis-${role}`, 3600);
      const result = await runSchemathesis({
        schemaUrl: `${gateway}/docs-json`,
        baseUrl: gateway,
        headers: { authorization: `Bearer ${token}` },
        maxExamples: 25,
        include: { tag: [tag] },
      });
      if (result.exitCode !== 0) console.error(result.output);
      expect(result.exitCode).toBe(0);
      expect(result.output).toMatch(/Test cases:\s+(\d+) generated, \1 passed/);
    },
    300_000,
  );
});
