import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { suiteEnv } from '../testing/suite-env';
import { findFreePort } from './ports';
import { readPid } from './service-process';
import { startTemporal, stopTemporal, type TemporalOptions } from './temporal';

/** SQLite's header says the journal mode: bytes 18 and 19 are 2 in WAL mode, 1 in rollback. */
function journalModeOf(file: string): 'wal' | 'rollback' {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  return header[18] === 2 && header[19] === 2 ? 'wal' : 'rollback';
}

describe('the local Temporal dev server in WAL mode', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'temporal-durability-'));
  let options: TemporalOptions;

  beforeAll(async () => {
    options = {
      cli: suiteEnv('TEMPORAL_CLI'),
      stateDir,
      logFile: join(stateDir, 'temporal.log'),
      pidFile: join(stateDir, 'temporal.pid'),
      port: await findFreePort(),
      uiPort: await findFreePort(),
      namespace: 'default',
    };
  });

  afterAll(async () => {
    await stopTemporal(options.pidFile);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged workflow start when the server process is killed outright', async () => {
    await startTemporal(options);
    expect(journalModeOf(join(stateDir, 'temporal.sqlite'))).toBe('wal');

    const workflowIds = Array.from({ length: 5 }, () => `durability-${randomUUID()}`);
    let connection = await Connection.connect({ address: `127.0.0.1:${options.port}` });
    try {
      const client = new Client({ connection });
      for (const workflowId of workflowIds) {
        // No worker: the start itself is what the server acknowledged and must keep.
        await client.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId });
      }
    } finally {
      await connection.close();
    }

    // A crash, not a stop: no chance to checkpoint the WAL into the database file.
    process.kill(readPid(options.pidFile)!, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await startTemporal(options);

    connection = await Connection.connect({ address: `127.0.0.1:${options.port}` });
    try {
      const client = new Client({ connection });
      for (const workflowId of workflowIds) {
        const description = await client.workflow.getHandle(workflowId).describe();
        expect(description.status.name).toBe('RUNNING');
      }
    } finally {
      await connection.close();
    }
  }, 180_000);
});
