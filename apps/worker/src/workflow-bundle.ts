/**
 * Where the worker takes its workflow code from: a bundle prebuilt into a file (the Docker image
 * writes one at build, WORKFLOW_BUNDLE_PATH names it), or bundled from workflows/ at start (the
 * local stack and the tests, whose sources change between runs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '@order-platform/workflows/bundle';
import { WORKFLOW_TRACING_MODULE } from './tracing';

/** The Worker.create options that name the workflow code. */
export const workflowCode = (
  bundlePath: string | undefined,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> =>
  bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: workflowBundlerOptions() };

/**
 * Bundles the workflows as the worker would at start with tracing on (so with the tracing
 * interceptors: whether tracing is on is known only when the worker runs), into `file`; returns
 * its size in bytes.
 */
export async function writeWorkflowBundle(file: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
    ...workflowBundlerOptions(),
  });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, code);
  return Buffer.byteLength(code);
}
