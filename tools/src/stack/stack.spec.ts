import { type RunningStack, servicesToStart } from './stack';

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
