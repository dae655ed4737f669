import { ConfigError, env, loadConfig } from './config';

describe('typed configuration', () => {
  const spec = {
    port: env.port('GATEWAY_PORT', 3000),
    databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
    brokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:9092'),
    level: env.oneOf('LOG_LEVEL', ['info', 'debug'] as const, 'info'),
  };

  it('applies defaults and parses what is set', () => {
    expect(
      loadConfig(spec, { DATABASE_URL: 'postgres://u:p@db:5432/x', KAFKA_BROKERS: 'a:1, b:2' }),
    ).toEqual({
      port: 3000,
      databaseUrl: 'postgres://u:p@db:5432/x',
      brokers: ['a:1', 'b:2'],
      level: 'info',
    });
  });

  it('reports every problem at once, each naming its variable', () => {
    let error: unknown;
    try {
      loadConfig(spec, { GATEWAY_PORT: '70000', KAFKA_BROKERS: 'nohost', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'GATEWAY_PORT must be a TCP port (0-65535), got "70000"',
      'DATABASE_URL is required (postgres or postgresql URL)',
      'KAFKA_BROKERS has entries that are not host:port: nohost',
      'LOG_LEVEL must be one of info, debug',
    ]);
  });

  it('refuses a URL of the wrong kind', () => {
    expect(() => loadConfig(spec, { DATABASE_URL: 'mysql://db/x' })).toThrow(
      'DATABASE_URL must be a postgres or postgresql URL',
    );
  });

  it('reads a number within its range, fractions included', () => {
    const rate = env.number('PROMOTION_MIN_MATCH_RATE', 0.999, { min: 0, max: 1 });
    expect(rate({})).toBe(0.999);
    expect(rate({ PROMOTION_MIN_MATCH_RATE: '0.95' })).toBe(0.95);
    expect(() => rate({ PROMOTION_MIN_MATCH_RATE: '1.5' })).toThrow(
      'PROMOTION_MIN_MATCH_RATE must be a number from 0 to 1, got "1.5"',
    );
    expect(() => rate({ PROMOTION_MIN_MATCH_RATE: 'high' })).toThrow('must be a number');
  });
});
