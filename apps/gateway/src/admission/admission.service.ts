/**
 * Bounded admission at the door, measured rather than guessed, and the same however many
 * gateways there are. Every sample interval a gateway counts the work not yet started (running
 * orders still in AcceptedForProcessing, which includes those whose first workflow task is
 * queued, plus the activity tasks queued for the worker; on this gateway's task queue) and lands
 * it in the queue's shared window in PostgreSQL, once per period whichever gateway gets there
 * first. Between samples every gateway's submissions are added to that count: each order takes
 * its customer's token and a slot under the bound in one statement, and gives the slot back or
 * turns it into an admission in a second when its submission is done
 * (`stores/src/admission/admission.store.ts`), so N gateways together never admit past the bound
 * nor let a customer past the limit. PostgreSQL not answering that statement refuses the order
 * (503): a submission needs the database anyway. A cap on submissions handled at once stays per
 * process: it bounds this process's memory.
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
import { AdmissionStore, type AdmissionTake, pendingOf } from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { LOGGER } from '../infrastructure/infrastructure.module';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import {
  admissionBound,
  bucketFullAfterSeconds,
  nextDrainRate,
  rateLimitRetryAfterSeconds,
  refillPerSecond,
  retryAfterSeconds,
} from './admission';

const notStartedQuery = (taskQueue: string): string =>
  `WorkflowType = "${ORDER_WORKFLOW_TYPE}" AND TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running" AND OrderStage = "AcceptedForProcessing"`;
/** Samples between two sweeps of full buckets out of `customer_rate_limit`. */
const FORGET_BUCKETS_EVERY = 60;
/** What a refused client is told to wait when the shared state cannot be reached. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export type Lane = 'standard' | 'expedited';

@Injectable()
export class AdmissionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private inFlight = 0;
  private lastAnsweredMs = 0;
  private samples = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly temporalClient: Client,
    private readonly store: AdmissionStore,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.ensureWindow(this.config.taskQueue);
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

  /** Whether Temporal answered this gateway within the last three samples. */
  get temporalAnswering(): boolean {
    return Date.now() - this.lastAnsweredMs < 3 * this.config.admission.sampleIntervalMs + 2000;
  }

  /**
   * Runs `submit` if the order may enter; throws a 429 problem (with Retry-After) if not, a 503
   * if the shared admission state cannot be reached.
   * `submit` reports whether it admitted a new order (false for an idempotent repeat).
   */
  async admit<T>(
    customerId: string,
    lane: Lane,
    submit: () => Promise<{ created: boolean; result: T }>,
  ): Promise<T> {
    const { admission, taskQueue } = this.config;
    if (this.inFlight >= admission.maxInFlight) {
      this.metrics.shed.inc({ reason: 'in-flight', lane });
      throw problems.tooManyRequests(
        'too-many-in-flight',
        'Too many orders are being submitted right now',
        1,
      );
    }
    this.inFlight += 1;
    try {
      // The slot is taken before the (slow) submission, so concurrent requests cannot all pass
      // the check at once; it stays counted while the submission runs, then as admitted if a
      // new order came of it, and is given back if not.
      const taken = await this.take(customerId, lane);
      let created = false;
      try {
        const submitted = await submit();
        created = submitted.created;
        if (created) this.metrics.admitted.inc({ lane });
        return submitted.result;
      } finally {
        await this.store.finish(taskQueue, taken.generation, created).catch((error: unknown) => {
          // The slot stays counted until its generation ages out: errs towards refusing.
          this.logger.warn('admission slot not finished', { error: String(error) });
        });
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private async take(customerId: string, lane: Lane): Promise<{ generation: number }> {
    const { admission, taskQueue } = this.config;
    const bound = admissionBound(admission, lane === 'expedited');
    let taken: AdmissionTake;
    try {
      taken = await this.store.take({
        customerId,
        taskQueue,
        burst: admission.perCustomerBurst,
        refillPerSecond: refillPerSecond(admission.perCustomerPerMinute),
        bound,
      });
    } catch (error) {
      // Fail closed: without the shared count no gateway can know the bound holds.
      this.metrics.shed.inc({ reason: 'unavailable', lane });
      this.logger.warn('admission state unreachable; order refused', { error: String(error) });
      throw problems.unavailable(
        'Orders cannot be admitted right now; please retry shortly',
        UNAVAILABLE_RETRY_AFTER_SECONDS,
      );
    }
    if (taken.outcome === 'rate-limited') {
      this.metrics.shed.inc({ reason: 'rate-limit', lane });
      throw problems.tooManyRequests(
        'rate-limited',
        'Too many orders from this customer; slow down',
        rateLimitRetryAfterSeconds(taken.tokens, admission.perCustomerPerMinute),
      );
    }
    if (taken.outcome === 'backlog-full') {
      this.metrics.shed.inc({ reason: 'backlog', lane });
      throw problems.tooManyRequests(
        'backlog-full',
        'We are receiving more orders than we can start right now; please retry shortly',
        retryAfterSeconds(Math.max(1, taken.pending - bound + 1), taken.drainPerSecond),
      );
    }
    return taken;
  }

  private async sample(): Promise<void> {
    const { taskQueue, admission } = this.config;
    try {
      const before = await this.store.window(taskQueue);
      if (!before) {
        await this.store.ensureWindow(taskQueue);
        return;
      }
      const [notStarted, activityBacklog] = await Promise.all([
        this.temporalClient.workflow.count(notStartedQuery(taskQueue)),
        this.activityBacklog(),
      ]);
      this.lastAnsweredMs = Date.now();
      const pending = notStarted.count + activityBacklog;
      // Visibility lags a little behind a start, so the orders admitted until the sample began
      // stay counted for one more period (erring towards refusing); those still being submitted
      // stay counted as in flight.
      const landed = await this.store.landSample(taskQueue, before, {
        pending,
        drainPerSecond:
          before.sampledAgeSeconds === null
            ? 0
            : nextDrainRate({
                previousRate: before.drainPerSecond,
                pendingBefore: before.sampledPending,
                pendingNow: pending,
                admittedBetween: before.admittedCurrent,
                seconds: before.sampledAgeSeconds,
              }),
        // Another gateway's sample this recent stands: one sample per period between them.
        minGapMs: admission.sampleIntervalMs / 2,
      });
      const now = landed ?? (await this.store.window(taskQueue)) ?? before;
      this.metrics.pending.set(pendingOf(now));
      this.metrics.drainRate.set(now.drainPerSecond);
      if (++this.samples % FORGET_BUCKETS_EVERY === 0) {
        await this.store.forgetFullBuckets(
          bucketFullAfterSeconds(admission.perCustomerBurst, admission.perCustomerPerMinute),
        );
      }
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
