import { createLogger } from './logger';

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
    expect(writes.join('')).toContain('"error":{"name":"Error","message":"boom"}');
  });
});
