import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startTracing } from '@order-platform/runtime';
import { workerTracingOptions } from './tracing';
import { workflowCode, writeWorkflowBundle } from './workflow-bundle';

const HISTORIES_DIR = join(__dirname, '../../../workflows/histories');

describe('the workflow bundle an image builds once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is bundled at start when no prebuilt bundle is configured', () => {
    expect(workflowCode(undefined)).toEqual({
      workflowsPath: expect.any(String),
      bundlerOptions: expect.anything(),
    });
  });

  it('replays the committed histories when the worker loads it from its file', async () => {
    const file = join(dir, 'workflow-bundle.js');
    expect(await writeWorkflowBundle(file)).toBeGreaterThan(0);
    const options = workflowCode(file);
    expect(options).toEqual({ workflowBundle: { codePath: file } });

    const files = readdirSync(HISTORIES_DIR).filter((name) => name.endsWith('.history.pb'));
    expect(files.length).toBeGreaterThan(0);
    const failures: string[] = [];
    // As the worker runs it: the bundle holds the tracing interceptors, so their sink is there
    // (dropping spans: tracing is off without an endpoint).
    const { sinks } = workerTracingOptions(startTracing('worker', {}));
    for await (const result of Worker.runReplayHistories(
      { ...options, sinks, replayName: 'prebuilt-bundle' },
      files.map((name) => ({
        workflowId: name.replace(/\.history\.pb$/, ''),
        history: temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES_DIR, name))),
      })),
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    // Bundling and replaying take about 20 s alone, several times that beside other suites.
  }, 240_000);
});
