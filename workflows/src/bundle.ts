/**
 * How to bundle the workflows, for the worker and the workflow tests: where the bundle starts,
 * and the workspace's import aliases (tsconfig.base.json `paths`) taught to Temporal's webpack
 * bundler, which does not read tsconfig. Kept out of index.ts, which is bundled and must stay
 * free of Node APIs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a type for the worker's side; never bundled
import type { BundleOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('./index');

const WORKSPACE_ROOT = join(__dirname, '..', '..');

function workspaceAliases(): Record<string, string> {
  const { compilerOptions } = JSON.parse(
    readFileSync(join(WORKSPACE_ROOT, 'tsconfig.base.json'), 'utf8'),
  ) as {
    compilerOptions: { paths: Record<string, [string]> };
  };
  return Object.fromEntries(
    Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
      `${alias}$`,
      join(WORKSPACE_ROOT, target),
    ]),
  );
}

/** Options for `bundleWorkflowCode` and `Worker.create({ bundlerOptions })`. */
export const workflowBundlerOptions = (): Pick<BundleOptions, 'webpackConfigHook'> => ({
  webpackConfigHook: (config) => ({
    ...config,
    resolve: {
      ...config.resolve,
      alias: { ...(config.resolve?.alias as object), ...workspaceAliases() },
    },
  }),
});
