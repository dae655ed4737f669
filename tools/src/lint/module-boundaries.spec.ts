/**
 * The import table of docs/architecture.md is enforced by lint; these cases prove the rules
 * bite, so a config change that silently disables them fails the build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

describe('module boundaries', () => {
  beforeAll(() => {
    // The Nx rule reads the cached project graph; without it the rule would skip silently.
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'],
      {
        cwd: ROOT,
        env: { ...process.env, NX_DAEMON: 'false' },
        stdio: 'ignore',
      },
    );
  }, 60_000);

  // ESLint runs as its own process: its flat config is an ES module, which Jest cannot import.
  const problems = async (file: string, code: string): Promise<string[]> => {
    let output: string;
    try {
      output = execFileSync(
        process.execPath,
        [
          join(ROOT, 'node_modules/eslint/bin/eslint.js'),
          '--format',
          'json',
          '--stdin',
          '--stdin-filename',
          file,
        ],
        { cwd: ROOT, input: code, encoding: 'utf8' },
      );
    } catch (error) {
      output = (error as { stdout: string }).stdout; // exit code 1: problems found
    }
    const [result] = JSON.parse(output) as { messages: { ruleId: string; message: string }[] }[];
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  };

  it('keeps domain/ free of I/O, clocks and randomness', async () => {
    const found = await problems(
      'domain/src/example.ts',
      "import { Pool } from 'pg';\nimport { readFileSync } from 'node:fs';\nexport const x = [Pool, readFileSync, Date.now(), new Date(), Math.random()];\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/enforce-module-boundaries.*not allowed to import "pg"/),
      expect.stringMatching(/no-restricted-imports: 'node:fs'/),
      expect.stringMatching(/no-restricted-properties: 'Date.now'/),
      expect.stringMatching(/no-restricted-syntax/),
      expect.stringMatching(/no-restricted-properties: 'Math.random'/),
    ]);
  });

  it('lets workflows import activity types but not activity code or I/O libraries', async () => {
    expect(
      await problems(
        'workflows/src/example.ts',
        "import type * as activities from '@order-platform/activities';\nexport type A = typeof activities;\n",
      ),
    ).toEqual([]);
    const found = await problems(
      'workflows/src/example.ts',
      "import * as activities from '@order-platform/activities';\nimport { Kafka } from 'kafkajs';\nexport const x = [activities, Kafka];\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/no-restricted-imports.*activity types only/),
      expect.stringMatching(/enforce-module-boundaries.*not allowed to import "kafkajs"/),
    ]);
  });

  it('keeps the tables behind the stores: workflows, domain and the gateway reach no further', async () => {
    const store =
      "import { OrderStatusStore } from '@order-platform/stores';\nexport const x = OrderStatusStore;\n";
    expect(await problems('workflows/src/example.ts', store)).toEqual([
      expect.stringMatching(/enforce-module-boundaries.*"type:workflows" can only depend on/),
    ]);
    expect(await problems('domain/src/example.ts', store)).toEqual([
      // Refused as a cycle first: the stores are built on the domain.
      expect.stringMatching(/enforce-module-boundaries.*"domain" and "stores"/),
    ]);
    expect(
      await problems(
        'apps/gateway/src/example.ts',
        "import { createOrderActivities } from '@order-platform/activities';\nexport const x = createOrderActivities;\n",
      ),
    ).toEqual([
      expect.stringMatching(/enforce-module-boundaries.*"app:gateway" can only depend on/),
    ]);
    for (const file of [
      'activities/src/example.ts',
      'legacy-adapter/src/example.ts',
      'runtime/src/example.ts',
      'apps/gateway/src/example.ts',
      'apps/worker/src/example.ts',
      'apps/legacy-adapter/src/example.ts',
    ]) {
      expect({ file, problems: await problems(file, store) }).toEqual({ file, problems: [] });
    }
  });

  it('keeps the sample monolith apart from the platform it stands in for', async () => {
    const found = await problems(
      'apps/legacy-monolith/src/example.ts',
      "import { TOPICS } from '@order-platform/domain';\nexport const x = TOPICS;\n",
    );
    expect(found).toEqual([expect.stringMatching(/enforce-module-boundaries/)]);
  });
});
