import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localSecret,
  parseTemporalKind,
  type RunningStack,
  servicesToStart,
  writePrivateFile,
} from './stack';

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

describe("the stack's key files", () => {
  const modeOf = (file: string) => statSync(file).mode & 0o777;
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stack-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the token signing key readable by its owner only, and reuses it', () => {
    const previousUmask = process.umask(0o000); // even where the umask would allow everyone
    try {
      const secret = localSecret(dir, 'gateway-jwt-secret');
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(modeOf(join(dir, 'gateway-jwt-secret'))).toBe(0o600);
      expect(localSecret(dir, 'gateway-jwt-secret')).toBe(secret);
    } finally {
      process.umask(previousUmask);
    }
  });

  it('narrows a key file an older version left world-readable, keeping its value', () => {
    const file = join(dir, 'gateway-jwt-secret');
    writeFileSync(file, 'a'.repeat(64), { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(localSecret(dir, 'gateway-jwt-secret')).toBe('a'.repeat(64));
    expect(modeOf(file)).toBe(0o600);
  });

  it('writes files that hold the keys (stack.json, the env file) private, over a wider one', () => {
    const file = join(dir, 'stack.json');
    writeFileSync(file, '{}', { mode: 0o666 });
    chmodSync(file, 0o666);
    writePrivateFile(file, '{"env":{"GATEWAY_JWT_SECRET":"x"}}');
    expect(modeOf(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('GATEWAY_JWT_SECRET');
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
