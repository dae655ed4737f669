import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger, withLogFields } from './logger';

describe('the JSON logger on standard output', () => {
  let writes: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    writes = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
  });
  afterEach(() => spy.mockRestore());

  it('writes the lines of one turn of the event loop together, each a whole JSON line', async () => {
    const logger = createLogger('svc');
    logger.info('request', { requestId: 'r-1', status: 200 });
    logger.warn('slow', { durationMs: 12.5 });
    logger.debug('not at info');
    expect(writes).toEqual([]); // nothing written mid-turn
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ service: 'svc', level: 'info', message: 'request', status: 200 }),
      expect.objectContaining({ level: 'warn', message: 'slow', durationMs: 12.5 }),
    ]);
  });

  it('writes what is pending when the process exits, so a last error is not lost', () => {
    createLogger('svc').error('failed', { error: new Error('boom') });
    process.emit('exit', 1);
    expect(writes.join('')).toContain(
      '"error":{"name":"Error","message":"boom","stack":"Error: boom',
    );
  });
});

describe('what a log line carries', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('svc', 'debug', (line) => lines.push(JSON.parse(line)));
    return { lines, logger };
  };

  it('keeps an error whole: name, message, stack and cause', () => {
    const { lines, logger } = capture();
    const cause = new Error('connection refused');
    logger.error('publish failed', { error: new Error('kafka down', { cause }) });
    expect(lines[0]).toMatchObject({
      level: 'error',
      service: 'svc',
      message: 'publish failed',
      error: {
        name: 'Error',
        message: 'kafka down',
        stack: expect.stringMatching(/^Error: kafka down\n\s+at /),
        cause: { message: 'connection refused', stack: expect.any(String) },
      },
    });
  });

  it('redacts personal data and secrets at any depth, whatever the caller passed', () => {
    const { lines, logger } = capture();
    logger.warn('odd order', {
      orderId: 'o-1',
      customerId: 'c-1',
      authorization: 'Bearer eyJ...',
      order: {
        shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin' },
        items: [{ sku: 'SKU-1', email: 'ada@example.com' }],
      },
      headers: { cookie: 'session=1', 'x-request-id': 'r-1' },
      jwtSecret: 'abc',
      accessToken: 'abc',
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['Ada', '1 Main St', 'ada@example.com', 'eyJ', 'session=1', 'abc']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      orderId: 'o-1',
      customerId: 'c-1',
      authorization: '[redacted]',
      order: { shippingAddress: '[redacted]', items: [{ sku: 'SKU-1', email: '[redacted]' }] },
      headers: { cookie: '[redacted]', 'x-request-id': 'r-1' },
    });
  });

  it('names the order and workflow of the surrounding log context, inner fields winning', async () => {
    const { lines, logger } = capture();
    await withLogFields({ orderId: 'o-1', workflowId: 'order-o-1' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside');
      withLogFields({ activityType: 'reserveStock' }, () => logger.info('deeper'));
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ orderId: 'o-1', workflowId: 'order-o-1' });
    expect(lines[1]).toMatchObject({ orderId: 'o-1', activityType: 'reserveStock' });
    expect(lines[2]).not.toHaveProperty('orderId');
  });

  it('carries the trace and span id of the active span, none outside one', () => {
    const provider = new NodeTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
    });
    provider.register();
    try {
      const { lines, logger } = capture();
      const span = trace.getTracer('t').startSpan('work');
      context.with(trace.setSpan(context.active(), span), () => logger.info('in a span'));
      span.end();
      logger.info('no span');
      expect(lines[0]).toMatchObject({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
      });
      expect(lines[1]).not.toHaveProperty('traceId');
    } finally {
      trace.disable();
      context.disable();
    }
  });
});
