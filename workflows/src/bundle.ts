/**
 * Where the workflow bundle starts, for the worker (and workflow tests) to hand to Temporal's
 * bundler. Kept out of index.ts, which is bundled and must stay free of Node APIs.
 */
export const WORKFLOWS_PATH = require.resolve('./index');
