/**
 * Writes the worker's workflow bundle to a file, for images that load it at start instead of
 * bundling (WORKFLOW_BUNDLE_PATH):
 *   npm run build:workflow-bundle [-- <file>]      (default dist/workflow-bundle.js)
 */
import { join, resolve } from 'node:path';
import { writeWorkflowBundle } from './workflow-bundle';

const file = resolve(process.argv[2] ?? join(__dirname, '../../..', 'dist', 'workflow-bundle.js'));
writeWorkflowBundle(file).then(
  (bytes) => console.error(`workflow bundle written: ${file} (${Math.round(bytes / 1024)} KiB)`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
