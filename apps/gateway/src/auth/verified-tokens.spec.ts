import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  InvalidToken,
  mintToken,
  type TokenKeys,
} from './tokens';
import { VerifiedTokens } from './verified-tokens';

const keys: TokenKeys = {
  jwtSecret: 'a-test-secret-of-at-least-thirty-two-characters',
  issuer: DEFAULT_ISSUER,
  audience: DEFAULT_AUDIENCE,
};
const principal = { subject: 'c-1', roles: ['customer' as const], segment: 'vip' as const };

/** A verifier that counts its calls and answers from a script (a principal until an expiry). */
function scriptedVerifier(answers: Record<string, number | Error>) {
  const calls: string[] = [];
  const verify = async (token: string) => {
    calls.push(token);
    const answer = answers[token];
    if (answer === undefined || answer instanceof Error) throw answer ?? new InvalidToken('no');
    return { principal: { ...principal, subject: token }, expiresAtMs: answer };
  };
  return { calls, verify };
}

describe('remembered token verifications', () => {
  it('verifies a token once and answers its repeats from memory, until its expiry', async () => {
    let now = 1_000;
    const { calls, verify } = scriptedVerifier({ t1: 5_000 });
    const tokens = new VerifiedTokens(keys, 10, () => now, verify);
    expect((await tokens.verify('t1')).subject).toBe('t1');
    now = 4_999;
    expect((await tokens.verify('t1')).subject).toBe('t1');
    expect(calls).toEqual(['t1']);
    now = 5_000; // at exp: never from memory, verified afresh
    await tokens.verify('t1');
    expect(calls).toEqual(['t1', 't1']);
  });

  it('asks again at expiry and passes the refusal on (no grace from the cache)', async () => {
    let now = 1_000;
    const answers: Record<string, number | Error> = { t1: 2_000 };
    const { verify } = scriptedVerifier(answers);
    const tokens = new VerifiedTokens(keys, 10, () => now, verify);
    await tokens.verify('t1');
    answers.t1 = new InvalidToken('the token has expired');
    now = 2_000;
    await expect(tokens.verify('t1')).rejects.toThrow('the token has expired');
    expect(tokens.size).toBe(0);
  });

  it('never remembers a refusal: a refused token is verified (and refused) every time', async () => {
    const { calls, verify } = scriptedVerifier({ bad: new InvalidToken('the token is not valid') });
    const tokens = new VerifiedTokens(keys, 10, () => 0, verify);
    await expect(tokens.verify('bad')).rejects.toThrow(InvalidToken);
    await expect(tokens.verify('bad')).rejects.toThrow(InvalidToken);
    expect(calls).toEqual(['bad', 'bad']);
    expect(tokens.size).toBe(0);
  });

  it('does not remember a token accepted only within the clock tolerance, past its exp', async () => {
    const { calls, verify } = scriptedVerifier({ late: 900 });
    const tokens = new VerifiedTokens(keys, 10, () => 1_000, verify);
    await tokens.verify('late');
    await tokens.verify('late');
    expect(calls).toEqual(['late', 'late']);
  });

  it('stays bounded under many tokens, dropping the least recently used', async () => {
    const { calls, verify } = scriptedVerifier({ a: 9e12, b: 9e12, c: 9e12 });
    const tokens = new VerifiedTokens(keys, 2, () => 0, verify);
    await tokens.verify('a');
    await tokens.verify('b');
    await tokens.verify('a'); // a is now more recent than b
    await tokens.verify('c'); // evicts b
    expect(tokens.size).toBe(2);
    calls.length = 0;
    await tokens.verify('a');
    await tokens.verify('b');
    expect(calls).toEqual(['b']);
  });

  it('answers only the exact token that verified: a forged signature on the same claims is refused', async () => {
    const tokens = new VerifiedTokens(keys);
    const token = await mintToken({ subject: 'c-1', roles: ['customer'], segment: 'vip' }, keys);
    expect(await tokens.verify(token)).toMatchObject({ subject: 'c-1', segment: 'vip' });
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    await expect(tokens.verify(forged)).rejects.toThrow(InvalidToken);
    const otherKey = await mintToken(
      { subject: 'c-1', roles: ['customer', 'operator'] },
      { ...keys, jwtSecret: 'another-secret-of-at-least-thirty-two-chars' },
    );
    await expect(tokens.verify(otherKey)).rejects.toThrow(InvalidToken);
  });

  it('hands out a principal nobody can change for the next request', async () => {
    const tokens = new VerifiedTokens(keys);
    const token = await mintToken({ subject: 'c-1', roles: ['customer'] }, keys);
    const first = await tokens.verify(token);
    expect(() => (first.roles as string[]).push('operator')).toThrow(TypeError);
    expect((await tokens.verify(token)).roles).toEqual(['customer']);
  });
});
