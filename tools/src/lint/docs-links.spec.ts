/**
 * The docs link check: a moved or renamed file breaks this test, not a reader's click or a
 * newcomer's trust in a comment. Relative links in the Markdown (README.md, docs/) resolve, with
 * their anchors, and every repository path a source comment or a doc cites exists.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../stack/versions';
import {
  citedPaths,
  describeProblem,
  headingSlug,
  pathProblems,
  scriptComments,
} from './docs-links';

describe('links and cited paths in the repository', () => {
  it('resolve: every relative link, anchor and cited path exists', () => {
    const problems = pathProblems(REPO_ROOT);
    expect(problems.map((problem) => describeProblem(REPO_ROOT, problem))).toEqual([]);
  });
});

describe('the docs link check', () => {
  let root: string;
  const write = (files: Record<string, string>): string[] => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    return Object.keys(files);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'docs-links-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('catches a missing path in a comment or doc, a broken link and a missing anchor', () => {
    const files = write({
      'domain/src/stages.ts': '/** The stage table (docs/architecture.md). */\nexport {};\n',
      'domain/src/policy.ts': [
        '// Defaults as in domain/src/stage.ts and ARCHITECTURE.md.',
        "export const x = 'domain/src/nowhere.ts';",
      ].join('\n'),
      'tools/run.sh': '#!/usr/bin/env bash\n# Hands over to tools/src/cli/gone.ts\necho "#"\n',
      'docker-compose.yml': 'services:\n  gateway: # as tools/src/stack/apps.ts starts it\n',
      'docs/architecture.md': '# Architecture\n\n## The stage table\n',
      'README.md': [
        '# Order platform',
        '',
        'See [the stages](docs/architecture.md#the-stage-table) and [policies](docs/policy.md),',
        '[folders](docs/architecture.md#folders), [the top](#order-platform), and `domain/src/`.',
        '',
        '```sh',
        'npx jest domain/src/missing.spec.ts',
        '```',
      ].join('\n'),
    });
    expect(pathProblems(root, files).map((p) => describeProblem(root, p))).toEqual([
      'domain/src/policy.ts:1: domain/src/stage.ts: no such path',
      'domain/src/policy.ts:1: ARCHITECTURE.md: no such path',
      'tools/run.sh:2: tools/src/cli/gone.ts: no such path',
      'docker-compose.yml:2: tools/src/stack/apps.ts: no such path',
      'README.md:3: docs/policy.md: no such path',
      'README.md:4: docs/architecture.md#folders: no heading #folders in docs/architecture.md',
      'README.md:7: domain/src/missing.spec.ts: no such path',
    ]);
  });

  it('resolves a path from any folder above the citing file', () => {
    const files = write({
      'apps/gateway/src/orders/order-api.schemas.ts': 'export {};\n',
      'apps/gateway/src/ops/ops-api.schemas.ts':
        '/** As JSON Schema (see orders/order-api.schemas.ts). */\n',
    });
    expect(pathProblems(root, files)).toEqual([]);
  });

  it('does not take URLs, package names, globs, placeholders or ignored folders for paths', () => {
    const topLevel = new Set(['apps', 'domain', 'tools', 'workflows']);
    const text = [
      'http://127.0.0.1:3000/v1/orders https://github.com/temporalio/cli localhost:3000/v1/orders',
      '@order-platform/domain @temporalio/workflow typescript-eslint kafkajs',
      'apps/*/src/config.ts **/*.spec.ts workflows/histories/*.history.pb `<queue>.fraud`',
      'bench/results/<start time>.json ~/.cache/order-platform /v1/orders/{orderId} $ORDER/cancel',
      '.stack/logs/kafka.log node_modules/nx/bin/nx.js test-artifacts/faults.md ./.schemathesis',
      'approve/reject, orders/s, application/problem+json, legacy/shadow/new.',
    ].join('\n');
    expect(citedPaths(text, topLevel)).toEqual([]);
    expect(
      citedPaths('See domain/src/stages.ts, tools/ and (docs/api.md#errors). README.md', topLevel),
    ).toEqual(['domain/src/stages.ts', 'tools/', 'docs/api.md#errors', 'README.md']);
  });

  it('reads comments only, not strings or regular expressions', () => {
    const comments = scriptComments(
      'example.ts',
      "const a = '// not a comment'; /* one */\nconst r = /\\/\\//; // two\n",
    );
    expect(comments.map((c) => c.text)).toEqual(['/* one */', '// two']);
  });

  it('spells anchors as GitHub does', () => {
    expect(headingSlug('The `orders/` API: 429 & Retry-After')).toBe(
      'the-orders-api-429--retry-after',
    );
  });
});
