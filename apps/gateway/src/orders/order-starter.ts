/**
 * Starting an order's workflow, the one way both the placement path and the submission sweeper
 * do it: bounded like every Temporal call, and "already started" counts as started (the
 * workflow id is the order's, so a second start can only find the first).
 */
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { PlacedOrder } from '@order-platform/domain';
import { orderLifecycle, orderStartOptions } from '@order-platform/workflows';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { callTemporal } from '../infrastructure/temporal-calls';

@Injectable()
export class OrderStarter {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly temporal: Client,
  ) {}

  readonly start = async (order: PlacedOrder): Promise<void> => {
    try {
      await callTemporal(this.temporal, () =>
        this.temporal.workflow.start(
          orderLifecycle,
          orderStartOptions(order, this.config.taskQueue),
        ),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      throw error;
    }
  };
}
