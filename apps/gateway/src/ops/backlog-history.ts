/**
 * The backlog over time, for the operator page's charts: a snapshot of orders (and overdue
 * orders) per open stage every BACKLOG_SAMPLE_MS, kept in memory for the last
 * BACKLOG_HISTORY_POINTS samples (bounded: a ring, not a growing list). Per gateway process and
 * lost on restart; Prometheus (`order_platform_orders_in_stage`) is the long-term record.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { OrderStage } from '@order-platform/domain';
import type { Logger } from '@order-platform/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../infrastructure/infrastructure.module';
import { BacklogService } from './backlog.service';

export interface BacklogSample {
  at: string;
  stages: { stage: OrderStage; count: number; overdueCount: number }[];
}

@Injectable()
export class BacklogHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly samples: BacklogSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly backlog: BacklogService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const tick = async (): Promise<void> => {
      try {
        const snapshot = await this.backlog.snapshot(0);
        this.samples.push({
          at: snapshot.asOf,
          stages: snapshot.stages.map(({ stage, count, overdueCount }) => ({
            stage,
            count,
            overdueCount,
          })),
        });
        if (this.samples.length > this.config.backlogHistory.points) this.samples.shift();
      } catch (error) {
        this.logger.debug('backlog sample failed', { error: String(error) });
      }
      this.timer = setTimeout(() => void tick(), this.config.backlogHistory.sampleMs);
      this.timer.unref();
    };
    void tick();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  history(): { intervalMs: number; samples: BacklogSample[] } {
    return { intervalMs: this.config.backlogHistory.sampleMs, samples: [...this.samples] };
  }
}
