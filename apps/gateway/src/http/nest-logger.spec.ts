import { createLogger } from '@order-platform/runtime';
import { NestJsonLogger } from './nest-logger';

describe("Nest's own logs in the platform's format", () => {
  const lines: Record<string, unknown>[] = [];
  const nest = new NestJsonLogger(
    createLogger('gateway', 'debug', (line) => lines.push(JSON.parse(line))),
  );
  beforeEach(() => (lines.length = 0));

  it('writes an error with its stack and the class that logged it', () => {
    const error = new Error('cannot resolve dependency');
    nest.error('Nest could not start', error.stack, 'ExceptionHandler');
    expect(lines[0]).toMatchObject({
      level: 'error',
      service: 'gateway',
      component: 'nest',
      message: 'Nest could not start',
      context: 'ExceptionHandler',
      stack: error.stack,
    });
  });

  it('takes an Error as the message, and a lone string after an error as its context', () => {
    nest.error(new Error('boom'), 'RoutesResolver');
    nest.warn('deprecated option', 'NestFactory');
    expect(lines[0]).toMatchObject({
      message: 'boom',
      context: 'RoutesResolver',
      error: { message: 'boom', stack: expect.stringContaining('Error: boom') },
    });
    expect(lines[1]).toMatchObject({ level: 'warn', context: 'NestFactory' });
  });

  it("logs Nest's start-up chatter (routes mapped) at debug", () => {
    nest.log('Mapped {/v1/orders, POST} route', 'RouterExplorer');
    expect(lines[0]).toMatchObject({ level: 'debug', context: 'RouterExplorer' });
  });
});
