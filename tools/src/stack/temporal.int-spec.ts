import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { ORDER_SEARCH_ATTRIBUTES } from '@order-platform/domain';
import { NativeConnection, Worker } from '@temporalio/worker';
import { suiteEnv } from '../testing/suite-env';
import { searchableSmokeWorkflow } from './smoke/smoke.workflows';

describe('Temporal of the local stack (the dev server, or the server with STACK_TEMPORAL=server)', () => {
  it('runs a workflow to completion, and an operator finds it by its order search attributes', async () => {
    const address = suiteEnv('TEMPORAL_ADDRESS');
    const taskQueue = `stack-smoke-${randomUUID()}`;
    const customerId = `customer-${randomUUID()}`;
    const workerConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: require.resolve('./smoke/smoke.workflows'),
    });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    try {
      const result = await worker.runUntil(
        client.workflow.execute(searchableSmokeWorkflow, {
          taskQueue,
          workflowId: `smoke-${customerId}`,
          args: [{ stage: 'AwaitingFraudDecision', customerId, orderValue: 125.5 }],
        }),
      );
      expect(result).toBe('AwaitingFraudDecision');

      // Through the same CLI and query language an operator uses in the Web UI.
      const query = `OrderStage = "AwaitingFraudDecision" AND CustomerId = "${customerId}" AND OrderValue > 100`;
      let listed: { workflowId?: string; execution?: { workflowId: string }; status?: string }[] =
        [];
      for (let attempt = 0; attempt < 50 && listed.length === 0; attempt++) {
        const { stdout } = await promisify(execFile)(suiteEnv('TEMPORAL_CLI'), [
          'workflow',
          'list',
          '--address',
          address,
          '--query',
          query,
          '--output',
          'json',
        ]);
        listed = stdout.trim() ? JSON.parse(stdout) : [];
        if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(listed).toHaveLength(1);
      expect(JSON.stringify(listed[0])).toContain(`smoke-${customerId}`);
      expect(JSON.stringify(listed[0])).toMatch(/COMPLETED/);
    } finally {
      await connection.close();
      await workerConnection.close();
    }
  });

  it("serves the Web UI, which lists the namespace's order search attributes and decodes payloads through the gateway", async () => {
    const ui = suiteEnv('TEMPORAL_UI_URL');
    expect((await fetch(`${ui}/`)).status).toBe(200);

    const listed = (await (
      await fetch(`${ui}/api/v1/namespaces/${suiteEnv('TEMPORAL_NAMESPACE')}/search-attributes`)
    ).json()) as { customAttributes: Record<string, string> };
    expect(listed.customAttributes).toMatchObject(
      Object.fromEntries(
        Object.entries(ORDER_SEARCH_ATTRIBUTES).map(([name, kind]) => [
          name,
          `INDEXED_VALUE_TYPE_${kind.toUpperCase()}`,
        ]),
      ),
    );

    const settings = (await (await fetch(`${ui}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string };
    };
    expect(settings.Codec.Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/ops\/codec$/);
  });
});
