// Lint rules, including the import table of docs/architecture.md as Nx module-boundary constraints:
// the folders' tags (project.json) say what may import what.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**/*.ts'];

/** What each kind of project may import (docs/architecture.md#folders-and-the-import-table). */
const depConstraints = [
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain'],
    bannedExternalImports: ['*'],
  },
  {
    sourceTag: 'type:workflows',
    onlyDependOnLibsWithTags: ['type:domain', 'type:activities'],
    allowedExternalImports: ['@temporalio/workflow', '@temporalio/common'],
  },
  {
    sourceTag: 'type:activities',
    onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:stores'],
  },
  {
    sourceTag: 'type:legacy-adapter',
    onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:stores'],
  },
  // Process plumbing shared by the apps: typed config, JSON logs, health, shutdown, and the
  // reliable consumer, whose inbox is a store.
  { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:stores'] },
  // One owner per platform table: SQL lives here, on the schema the migrations made.
  {
    sourceTag: 'type:stores',
    onlyDependOnLibsWithTags: ['type:domain', 'type:migrations'],
    allowedExternalImports: ['typeorm', 'pg'],
  },
  {
    sourceTag: 'type:migrations',
    onlyDependOnLibsWithTags: [],
    allowedExternalImports: ['typeorm', 'pg'],
  },
  {
    sourceTag: 'type:tools',
    onlyDependOnLibsWithTags: ['type:domain', 'type:migrations', 'type:runtime'],
  },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['*'] },
  {
    // The gateway reaches the tables through the stores, never the worker's activities.
    sourceTag: 'app:gateway',
    onlyDependOnLibsWithTags: [
      'type:domain',
      'type:workflows',
      'type:legacy-adapter',
      'type:migrations',
      'type:runtime',
      'type:stores',
    ],
  },
  {
    sourceTag: 'app:worker',
    onlyDependOnLibsWithTags: [
      'type:domain',
      'type:workflows',
      'type:activities',
      'type:runtime',
      'type:stores',
    ],
  },
  {
    sourceTag: 'app:legacy-adapter',
    onlyDependOnLibsWithTags: ['type:domain', 'type:legacy-adapter', 'type:runtime', 'type:stores'],
  },
  // The strangler facade at the monolith's door reads intake's route through the stores.
  {
    sourceTag: 'app:facade',
    onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:stores'],
  },
  // The sample monolith stands in for a customer's system: its own code only.
  { sourceTag: 'app:legacy-monolith', onlyDependOnLibsWithTags: [] },
  // The simulators stand in for third-party services (fraud, warehouse, payments, ...): same.
  { sourceTag: 'app:simulators', onlyDependOnLibsWithTags: [] },
];

/** Tests may also use the shared fixtures in tools/ (the real local stack) and any test library. */
const testDepConstraints = depConstraints.map(({ sourceTag, onlyDependOnLibsWithTags }) => ({
  sourceTag,
  onlyDependOnLibsWithTags: onlyDependOnLibsWithTags.includes('*')
    ? ['*']
    : [...onlyDependOnLibsWithTags, 'type:tools', 'type:domain'],
}));

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '.stack', '.nx', 'coverage', 'test-artifacts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { plugins: { '@nx': nx } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints },
      ],
    },
  },
  {
    // The micro-benchmarks measure one app's hot-path pieces in isolation, so they reach into
    // that app's source; nothing else may.
    files: ['bench/src/micro/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['../../../apps/gateway/src/**'],
          depConstraints,
        },
      ],
    },
  },
  {
    // NestJS resolves constructor injection from emitted decorator metadata, so a class used
    // only as a parameter type is a runtime import: the type-imports rule must know that.
    files: ['apps/**/*.ts'],
    languageOptions: {
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: testDepConstraints },
      ],
    },
  },
  {
    // The stores' suite helpers (the suites' database, a placed order) are for tests only.
    files: ['apps/**/*.ts', 'activities/**/*.ts', 'legacy-adapter/**/*.ts', 'runtime/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@order-platform/stores/testing',
              message: 'Suite helpers are for tests and benchmarks, not for the apps.',
            },
          ],
        },
      ],
    },
  },
  {
    // domain/ is pure: no I/O, no clock, no randomness.
    files: ['domain/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: NODE_BUILTINS.map((name) => ({ name, message: 'domain/ has no I/O.' })) },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'domain/ takes the time as an argument.' },
        { object: 'Math', property: 'random', message: 'domain/ is deterministic.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'domain/ takes the time as an argument.',
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it may use the activities' types, never their implementations.
    files: ['workflows/**/*.ts'],
    ignores: [...TEST_FILES, 'workflows/src/bundle.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@order-platform/activities',
              allowTypeImports: true,
              message: 'Workflows import activity types only (proxyActivities<typeof ...>).',
            },
            ...NODE_BUILTINS.map((name) => ({
              name,
              message: 'Workflow code is deterministic: no Node APIs.',
            })),
          ],
          patterns: [
            {
              group: ['../order/*'],
              message: 'Other workflows use order/ through its public entry: import from ../order.',
            },
          ],
        },
      ],
    },
  },
  {
    // Config files and Jest hooks are CommonJS, run by Node as they are.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The operator page's scripts are browser ES modules, served as they are.
    files: ['apps/gateway/src/ops-page/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        location: 'readonly',
        window: 'readonly',
        URLSearchParams: 'readonly',
        Node: 'readonly',
        CSS: 'readonly',
      },
    },
  },
  prettier,
);
