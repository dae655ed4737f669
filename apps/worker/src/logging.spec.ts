import { createLogger } from '@order-platform/runtime';
import { writeTemporalEntry } from './logging';

describe("the Temporal SDK's log entries in the platform's format", () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('worker', 'debug', (line) => lines.push(JSON.parse(line)));
  beforeEach(() => (lines.length = 0));

  it('keeps the metadata as fields, names the order, and maps every level', () => {
    const meta = { sdkComponent: 'activity', workflowId: 'order-o-7', activityType: 'authorize' };
    for (const level of ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const) {
      writeTemporalEntry(logger, { level, message: 'Activity failed', meta, timestampNanos: 0n });
    }
    expect(lines.map((line) => line.level)).toEqual(['debug', 'debug', 'info', 'warn', 'error']);
    expect(lines[4]).toMatchObject({
      service: 'worker',
      message: 'Activity failed',
      component: 'temporal',
      sdkComponent: 'activity',
      workflowId: 'order-o-7',
      orderId: 'o-7',
      activityType: 'authorize',
    });
  });

  it('keeps an error with its stack, and names no order for other workflows', () => {
    const error = new Error('fraud provider timed out');
    writeTemporalEntry(logger, {
      level: 'WARN',
      message: 'Activity failed',
      meta: { workflowId: 'backlog-monitor-orders', error },
      timestampNanos: 0n,
    });
    expect(lines[0]).not.toHaveProperty('orderId');
    expect(lines[0]!.error).toMatchObject({
      message: 'fraud provider timed out',
      stack: error.stack,
    });
  });
});
