/**
 * The worker's share of tracing (runtime/src/tracing.ts has the rest): activity executions are
 * spans continuing the workflow's context from the activity's headers, and workflow spans, made
 * inside the deterministic sandbox by @temporalio/interceptors-opentelemetry, leave it through a
 * sink into the process's span processor. The workflow interceptors go into the bundle only
 * while tracing is on (they add work to every workflow task); a prebuilt bundle always has them
 * (it is built before anyone knows), so the sink is always there, dropping spans when off.
 */
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '@order-platform/runtime';

/** The workflow-side interceptors' module, as Temporal's bundler wants it. */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** The Worker.create options that trace activities and workflows. */
export function workerTracingOptions(
  tracing: Tracing,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      workflowModules: tracing.enabled ? [WORKFLOW_TRACING_MODULE] : [],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
