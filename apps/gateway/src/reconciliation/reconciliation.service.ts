/**
 * Operators and reconciliation: the exception queue (read, resolve with a note, audited) and
 * scoped re-runs (by order or time window, paced), started by workflow type name.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { recordOperatorAction, ReconciliationFindingStore } from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { FindingsQuery, RunRequest } from './reconciliation-api.schemas';

const runPath = (runId: string) => `/v1/ops/reconciliation/runs/${runId}`;

@Injectable()
export class ReconciliationService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
    private readonly findingStore: ReconciliationFindingStore,
    private readonly temporal: Client,
  ) {}

  async findings(query: FindingsQuery) {
    return { findings: await this.findingStore.list(query.status, query.limit) };
  }

  async resolve(operatorId: string, id: string, note: string) {
    const outcome = await this.findingStore.resolve(id, operatorId, note);
    if ('notFound' in outcome) throw problems.notFound('finding');
    if ('notOpen' in outcome) {
      throw problems.conflict('finding-not-open', `The finding is ${outcome.notOpen}, not open`);
    }
    return outcome.resolved;
  }

  async startRun(operatorId: string, request: RunRequest) {
    const runId = `reconciliation-${randomUUID()}`;
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.start('reconciliation', {
        taskQueue: this.config.taskQueue,
        workflowId: runId,
        args: [
          {
            orderId: request.orderId,
            from: request.from,
            to: request.to,
            // Unsaid: the worker's minimum. Said: never judged inside that minimum either.
            graceMs: request.graceSeconds === undefined ? undefined : request.graceSeconds * 1000,
            ordersPerSecond: request.ordersPerSecond,
          },
        ],
        memo: { requestedBy: operatorId },
      }),
    );
    await recordOperatorAction(this.db, {
      operatorId,
      action: 'reconciliation-run',
      subject: runId,
      details: request,
    });
    return { runId, status: 'running' as const, links: { self: runPath(runId) } };
  }

  async run(runId: string) {
    const handle = this.temporal.workflow.getHandle(runId);
    try {
      const description = await callTemporal(this.temporal, () => handle.describe());
      const state = description.status.name;
      const status =
        state === 'RUNNING' ? 'running' : state === 'COMPLETED' ? 'completed' : 'failed';
      const summary =
        status === 'completed' ? await callTemporal(this.temporal, () => handle.result()) : null;
      return { runId, status, summary, links: { self: runPath(runId) } };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw problems.notFound('reconciliation run');
      throw error;
    }
  }
}
