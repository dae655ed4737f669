/**
 * The submission sweeper: every gateway runs the loop, and a PostgreSQL advisory lock lets one
 * pass run at a time over all of them (`OrderSubmissionStore.sweep`). A pass expires the
 * submissions whose workflow could not be started within `SUBMISSION_START_DEADLINE_MS`, then
 * starts the others whose start failed (or whose request died before it) once Temporal answers.
 * It lives in the gateway, not on a Temporal Schedule, because it must expire submissions while
 * Temporal is away: see docs/architecture.md.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from '@order-platform/runtime';
import { OrderSubmissionStore, type SweepOutcome } from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../infrastructure/infrastructure.module';
import { OrderStarter } from './order-starter';

/** Submissions a pass starts at most: a pass holds its lock while it calls Temporal. */
const STARTS_PER_PASS = 20;

@Injectable()
export class SubmissionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly submissions: OrderSubmissionStore,
    private readonly starter: OrderStarter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const tick = (): void => {
      void this.sweepOnce().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.config.intake.sweepIntervalMs);
        this.timer.unref();
      });
    };
    this.timer = setTimeout(tick, this.config.intake.sweepIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async sweepOnce(): Promise<SweepOutcome | undefined> {
    try {
      const outcome = await this.submissions.sweep({
        deadlineMs: this.config.intake.startDeadlineMs,
        settleMs: this.config.intake.sweepSettleMs,
        limit: STARTS_PER_PASS,
        start: this.starter.start,
      });
      if (outcome.expired.length > 0) {
        this.logger.warn('submissions expired: their workflow could not be started in time', {
          orderIds: outcome.expired,
        });
      }
      if (outcome.started.length > 0 || outcome.failed.length > 0) {
        this.logger.info('submissions swept', {
          started: outcome.started,
          stillFailing: outcome.failed,
        });
      }
      return outcome;
    } catch (error) {
      this.logger.warn('submission sweep failed', { error: String(error) });
      return undefined;
    }
  }
}
