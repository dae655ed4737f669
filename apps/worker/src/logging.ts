/**
 * The worker's logs in the platform's one format (runtime/src/logger.ts): the Temporal SDK's
 * Runtime logger (the worker's own lines, activity and workflow `log` calls, and the Rust core's
 * warnings, forwarded) writes through it, and every activity runs in a log context naming its
 * workflow and order, so whatever the platform's code logs during an activity says which order it
 * was about.
 */
import {
  type ActivityExecuteInput,
  type ActivityInboundCallsInterceptor,
  DefaultLogger,
  type LogEntry,
  makeTelemetryFilterString,
  type Next,
  Runtime,
  type RuntimeOptions,
} from '@temporalio/worker';
import type { Context as ActivityContext } from '@temporalio/activity';
import { orderIdOfWorkflow } from '@order-platform/domain';
import { type Logger, type LogLevel, withLogFields } from '@order-platform/runtime';

const TEMPORAL_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/**
 * Installs the SDK's Runtime with our logger and its metrics exporter (metrics.ts); before any
 * connection or worker is made.
 */
export function installTemporalRuntime(
  logger: Logger,
  level: LogLevel,
  metrics: NonNullable<NonNullable<RuntimeOptions['telemetryOptions']>['metrics']>,
): void {
  Runtime.install({
    logger: new DefaultLogger(TEMPORAL_LEVEL[level], (entry) => writeTemporalEntry(logger, entry)),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      metrics,
    },
  });
}

/** One SDK log entry as a platform line: its metadata as fields, the order named by its id. */
export function writeTemporalEntry(logger: Logger, { level, message, meta = {} }: LogEntry): void {
  const workflowId = typeof meta.workflowId === 'string' ? meta.workflowId : undefined;
  const orderId = workflowId ? orderIdOfWorkflow(workflowId) : undefined;
  const fields = { component: 'temporal', ...meta, ...(orderId ? { orderId } : {}) };
  switch (level) {
    case 'TRACE':
    case 'DEBUG':
      return logger.debug(message, fields);
    case 'INFO':
      return logger.info(message, fields);
    case 'WARN':
      return logger.warn(message, fields);
    default:
      return logger.error(message, fields);
  }
}

/** Runs each activity in a log context of its workflow and order. */
export class ActivityLogContext implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const { workflowExecution, activityType } = this.ctx.info;
    const workflowId = workflowExecution?.workflowId;
    const orderId = workflowId ? orderIdOfWorkflow(workflowId) : undefined;
    return withLogFields({ workflowId, ...(orderId ? { orderId } : {}), activityType }, () =>
      next(input),
    );
  }
}
