/**
 * Degraded modes for operators: what is on and why, the audit of switches and configuration
 * changes, and a new configuration (validated by the domain's rules, audited). The backlog
 * monitor in the worker does the switching; an operator changes the thresholds and the policy.
 * Beside them, the circuit breakers of the workers that reported lately, one per process.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DEGRADED_MODE_NAMES,
  type DegradedModeName,
  validateDegradedMode,
} from '@order-platform/domain';
import { DegradedModeStore, WorkerCircuitStore } from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import type { ConfigureRequest } from './degraded-modes-api.schemas';

const CHANGES_SHOWN = 50;

@Injectable()
export class DegradedModesService {
  private readonly store: DegradedModeStore;
  private readonly circuits: WorkerCircuitStore;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    db: DataSource,
  ) {
    // The modes of the orders this gateway starts (its task queue's).
    this.store = new DegradedModeStore(db, config.taskQueue);
    this.circuits = new WorkerCircuitStore(db);
  }

  async overview() {
    const modes = await Promise.all(DEGRADED_MODE_NAMES.map((name) => this.store.get(name)));
    const changes = (await this.store.recentChanges(DEGRADED_MODE_NAMES, CHANGES_SHOWN)).map(
      (change) => ({
        at: change.at,
        by: change.operatorId,
        action: change.action,
        mode: change.subject,
        details: change.details,
      }),
    );
    // Each worker's own breaker: one worker's may be open while another's is closed.
    const circuits = await this.circuits.live(this.config.taskQueue);
    return { modes, changes, circuits };
  }

  get(name: DegradedModeName) {
    return this.store.get(name);
  }

  async configure(operatorId: string, name: string, request: ConfigureRequest) {
    if (!DEGRADED_MODE_NAMES.includes(name as DegradedModeName))
      throw problems.notFound('degraded mode');
    const invalid = validateDegradedMode(request.config);
    if (invalid.length > 0) {
      throw problems.invalid(
        invalid.map((problem) => {
          const [field, ...message] = problem.split(': ');
          return { field: `config.${field}`, message: message.join(': ') };
        }),
      );
    }
    return this.store.configure(
      name as DegradedModeName,
      request.config,
      operatorId,
      request.reason,
    );
  }
}
