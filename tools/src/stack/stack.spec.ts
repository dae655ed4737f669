import { parseTemporalKind, type RunningStack, servicesToStart } from './stack';

describe('what npm start starts of the local stack', () => {
  const recorded = (postgresDataDir?: string): RunningStack =>
    ({ stateDir: '/state', postgresDataDir }) as RunningStack;

  it('starts all of it in a state folder that has none', () => {
    expect(servicesToStart(undefined, [])).toBe('all');
  });

  it('starts all of it, on the configured ports, when none of it runs', () => {
    expect(servicesToStart(recorded('/state/postgres'), [])).toBe('all');
  });

  it('starts only the services that are down when others run', () => {
    expect(servicesToStart(recorded('/state/postgres'), ['postgres', 'temporal'])).toEqual([
      'kafka',
    ]);
    expect(servicesToStart(recorded('/state/postgres'), ['kafka'])).toEqual([
      'postgres',
      'temporal',
    ]);
  });

  it('starts nothing when everything runs', () => {
    expect(servicesToStart(recorded('/state/postgres'), ['postgres', 'kafka', 'temporal'])).toEqual(
      [],
    );
  });

  it('never starts an external PostgreSQL', () => {
    expect(servicesToStart(recorded(undefined), ['kafka'])).toEqual(['temporal']);
  });
});

describe('which Temporal the stack runs (--temporal, STACK_TEMPORAL)', () => {
  it('takes dev or server, in any case and spacing, and nothing from a blank', () => {
    expect(parseTemporalKind('server', 'STACK_TEMPORAL')).toBe('server');
    expect(parseTemporalKind(' Dev ', 'STACK_TEMPORAL')).toBe('dev');
    expect(parseTemporalKind('', 'STACK_TEMPORAL')).toBeUndefined();
    expect(parseTemporalKind(undefined, '--temporal')).toBeUndefined();
  });

  it('refuses anything else, naming the setting and the choices', () => {
    expect(() => parseTemporalKind('cluster', 'STACK_TEMPORAL')).toThrow(
      'STACK_TEMPORAL must be one of dev, server, got "cluster"',
    );
  });
});
