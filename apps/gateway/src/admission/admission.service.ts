/**
 * Bounded admission at the door, measured rather than guessed: every sample interval it counts
 * the work not yet started (running orders still in AcceptedForProcessing, which includes those
 * whose first workflow task is queued, plus the activity tasks queued for the worker; counted
 * on this gateway's task queue) and derives the drain rate. Between samples, orders admitted
 * here are added to the last count, a slot taken before each submission, so a burst cannot slip
 * past the bound. On top: a per-customer rate limit and a cap on
 * submissions being handled at once, so memory stays bounded under any request rate.
 *
 * The same samples tell whether Temporal answers; reads use that to mark themselves `stale`.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ORDER_WORKFLOW_TYPE } from '@order-platform/workflows';
import type { Logger } from '@order-platform/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { LOGGER } from '../infrastructure/infrastructure.module';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { decideAdmission, DrainRate, RateLimiter } from './admission';

const notStartedQuery = (taskQueue: string): string =>
  `WorkflowType = "${ORDER_WORKFLOW_TYPE}" AND TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running" AND OrderStage = "AcceptedForProcessing"`;
/** Buckets kept for the per-customer limit (about 100 bytes each). */
const RATE_LIMIT_KEYS = 100_000;

export type Lane = 'standard' | 'expedited';

@Injectable()
export class AdmissionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sampledPending = 0;
  /** Admitted since the last sample started, and in the period before it (see `sample`). */
  private admittedThisPeriod = 0;
  private admittedLastPeriod = 0;
  private inFlight = 0;
  private lastAnsweredMs = 0;
  private timer?: NodeJS.Timeout;
  private readonly drain = new DrainRate();
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly temporalClient: Client,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.limiter = new RateLimiter({
      perMinute: config.admission.perCustomerPerMinute,
      burst: config.admission.perCustomerBurst,
      maxKeys: RATE_LIMIT_KEYS,
    });
  }

  onApplicationBootstrap(): void {
    const tick = (): void => {
      void this.sample().finally(() => {
        this.timer = setTimeout(tick, this.config.admission.sampleIntervalMs);
        this.timer.unref();
      });
    };
    tick();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  /** Whether Temporal answered within the last three samples. */
  get temporalAnswering(): boolean {
    return Date.now() - this.lastAnsweredMs < 3 * this.config.admission.sampleIntervalMs + 2000;
  }

  get pending(): number {
    return Math.max(0, this.sampledPending + this.admittedLastPeriod + this.admittedThisPeriod);
  }

  /**
   * Runs `submit` if the order may enter; throws a 429 problem (with Retry-After) if not.
   * `submit` reports whether it admitted a new order (false for an idempotent repeat).
   */
  async admit<T>(
    customerId: string,
    lane: Lane,
    submit: () => Promise<{ created: boolean; result: T }>,
  ): Promise<T> {
    const { admission } = this.config;
    if (this.inFlight >= admission.maxInFlight) {
      this.metrics.shed.inc({ reason: 'in-flight', lane });
      throw problems.tooManyRequests(
        'too-many-in-flight',
        'Too many orders are being submitted right now',
        1,
      );
    }
    const limited = this.limiter.take(customerId, Date.now());
    if (!limited.allowed) {
      this.metrics.shed.inc({ reason: 'rate-limit', lane });
      throw problems.tooManyRequests(
        'rate-limited',
        'Too many orders from this customer; slow down',
        limited.retryAfterSeconds,
      );
    }
    const decision = decideAdmission({
      pending: this.pending,
      expedited: lane === 'expedited',
      bounds: admission,
      drainPerSecond: this.drain.perSecond,
    });
    if (!decision.admit) {
      this.metrics.shed.inc({ reason: 'backlog', lane });
      throw problems.tooManyRequests(
        'backlog-full',
        'We are receiving more orders than we can start right now; please retry shortly',
        decision.retryAfterSeconds,
      );
    }
    // The slot is taken before the (slow) submission, so concurrent requests cannot all pass
    // the check at once; it is given back if no new order came of it.
    this.admittedThisPeriod += 1;
    this.inFlight += 1;
    let created = false;
    try {
      const submitted = await submit();
      created = submitted.created;
      if (created) this.metrics.admitted.inc({ lane });
      return submitted.result;
    } finally {
      this.inFlight -= 1;
      if (!created) this.admittedThisPeriod -= 1;
    }
  }

  private async sample(): Promise<void> {
    try {
      const admitted = this.admittedThisPeriod;
      const [notStarted, activityBacklog] = await Promise.all([
        this.temporalClient.workflow.count(notStartedQuery(this.config.taskQueue)),
        this.activityBacklog(),
      ]);
      const pending = notStarted.count + activityBacklog;
      this.drain.observe(Date.now(), pending, admitted);
      this.sampledPending = pending;
      // Visibility lags a little behind a start, so the orders admitted in the period just
      // measured stay counted for one more period (erring towards refusing), and those admitted
      // while the sample was in flight stay in this period.
      this.admittedThisPeriod -= admitted;
      this.admittedLastPeriod = admitted;
      this.lastAnsweredMs = Date.now();
      this.metrics.pending.set(this.pending);
      this.metrics.drainRate.set(this.drain.perSecond);
    } catch (error) {
      // Keep the last count: admission stays bounded, and submissions fail with 503 anyway.
      this.logger.debug('admission sample failed', { error: String(error) });
    }
  }

  private async activityBacklog(): Promise<number> {
    const response = await this.temporalClient.workflowService.describeTaskQueue({
      namespace: this.config.temporalNamespace,
      taskQueue: { name: this.config.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportStats: true,
    });
    return Number(response.stats?.approximateBacklogCount ?? 0);
  }
}
