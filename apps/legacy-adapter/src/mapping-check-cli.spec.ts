/**
 * `npm run mapping:check` as a team runs it: against the second legacy schema's recorded rows
 * with its mapping (passes, listing what it refuses), with a broken mapping (fails, naming each
 * violation), and wrongly called (usage).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const FIXTURES = 'legacy-adapter/fixtures';

const check = (...args: string[]) => {
  const run = spawnSync('npm', ['run', '-s', 'mapping:check', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
};

describe('npm run mapping:check', () => {
  jest.setTimeout(120_000);

  it('passes the ERP mapping on its recorded rows and lists the rows it refuses, with why', () => {
    const { code, out } = check(
      'legacy-adapter/src/mappings/erp-orders.mapping.ts',
      `${FIXTURES}/erp-orders/recorded-rows.json`,
    );
    expect(code).toBe(0);
    expect(out).toContain(
      'mapping erp-orders: 15 records, 20 facts, 3 unmappable, 0 contract violations',
    );
    expect(out).toContain(
      'transactions[8] changes[0] (erp.sales_order insert): items[0].unit_price: 12.345 EUR is not a whole number of minor units',
    );
  });

  it('fails a mapping that breaks the fact contract, naming the record and the field', () => {
    const { code, out } = check(
      `${FIXTURES}/erp-orders/broken-erp.mapping.ts`,
      `${FIXTURES}/erp-orders/recorded-rows.json`,
    );
    expect(code).toBe(1);
    expect(out).toContain(
      'transactions[0] changes[0] (erp.sales_order insert) fact 1 (LegacyOrderPlaced of SO-1001): payload.totalMinor: not a whole, non-negative amount in minor units (got 37.5)',
    );
    expect(out).toContain('payload.currency: not an ISO 4217 code (got "eur")');
  });

  it('passes the sample monolith (its built-in name) and answers JSON when asked', () => {
    const { code, out } = check(
      'sample-monolith',
      `${FIXTURES}/sample-monolith/recorded-rows.json`,
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ mapping: 'sample-monolith', violations: [] });
  });

  it('says how to call it when the module or the rows are not what it needs', () => {
    expect(check().code).toBe(2);
    const missing = check('sample-monolith', `${FIXTURES}/no-such-file.json`);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no-such-file.json');
    const notAMapping = check(
      'domain/src/index.ts',
      `${FIXTURES}/sample-monolith/recorded-rows.json`,
    );
    expect(notAMapping.code).toBe(2);
    expect(notAMapping.err).toContain('exports createMapping');
  });
});
