import { MOST_CAREFUL_SEGMENT } from '@order-platform/domain';
import { mintToken as mintAnyToken } from '@order-platform/runtime';
import { SignJWT } from 'jose';
import {
  PROVIDER_AUDIENCE,
  PROVIDER_ISSUER,
  TestIdentityProvider,
} from '../testing/identity-provider';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  InvalidToken,
  mintToken,
  type TokenKeys,
  TokenKeysUnavailable,
  type TokenSettings,
  TokenVerifier,
  verifyToken,
} from './tokens';

const keys: TokenKeys = {
  jwtSecret: 'a-test-secret-of-at-least-thirty-two-characters',
  issuer: DEFAULT_ISSUER,
  audience: DEFAULT_AUDIENCE,
};

describe('a customer token and the policy it earns', () => {
  it('keeps the segment the identity provider gave', async () => {
    const token = await mintToken({ subject: 'c-1', roles: ['customer'], segment: 'vip' }, keys);
    expect(await verifyToken(token, keys)).toMatchObject({ subject: 'c-1', segment: 'vip' });
  });

  it('gives a token without a segment the most careful policy, not standard', async () => {
    const token = await mintToken({ subject: 'c-1', roles: ['customer'] }, keys);
    expect((await verifyToken(token, keys)).segment).toBe(MOST_CAREFUL_SEGMENT);
  });

  it('treats a segment it does not know as no segment', async () => {
    const token = await mintAnyToken(
      { subject: 'c-1', roles: ['customer'], segment: 'platinum' },
      keys,
    );
    expect((await verifyToken(token, keys)).segment).toBe(MOST_CAREFUL_SEGMENT);
  });
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('token lifetime', () => {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const signed = (claims: { iat?: number; exp?: number }) => {
    const jwt = new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('c-1')
      .setIssuer(keys.issuer)
      .setAudience(keys.audience);
    if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(secret);
  };

  it('refuses a token that never expires', async () => {
    await expect(verifyToken(await signed({ iat: nowSeconds() }), keys)).rejects.toThrow(
      InvalidToken,
    );
  });

  it('refuses a token without an issue time (its lifetime cannot be told)', async () => {
    await expect(verifyToken(await signed({ exp: nowSeconds() + 60 }), keys)).rejects.toThrow(
      InvalidToken,
    );
  });

  it('refuses a token that lives longer than the maximum, even if it is young', async () => {
    const settings = { ...keys, maxLifetimeSeconds: 3600 };
    const token = await signed({ iat: nowSeconds(), exp: nowSeconds() + 3601 });
    await expect(verifyToken(token, settings)).rejects.toThrow(/lives longer than the 3600 s/);
    const fine = await signed({ iat: nowSeconds(), exp: nowSeconds() + 3600 });
    expect((await verifyToken(fine, settings)).subject).toBe('c-1');
  });

  it('refuses a token whose issue time is pushed forward to hide a long life', async () => {
    const settings = { ...keys, maxLifetimeSeconds: 3600 };
    const token = await signed({ iat: nowSeconds() + 86_400, exp: nowSeconds() + 86_400 + 60 });
    await expect(verifyToken(token, settings)).rejects.toThrow(InvalidToken);
  });

  it('bounds lifetimes at 12 hours unless configured', async () => {
    const token = await mintToken(
      { subject: 'c-1', roles: ['customer'], ttlSeconds: 13 * 3600 },
      keys,
    );
    await expect(verifyToken(token, keys)).rejects.toThrow(/43200 s/);
  });
});

describe('tokens from an identity provider (JWKS)', () => {
  let provider: TestIdentityProvider;
  let settings: TokenSettings;

  beforeEach(async () => {
    provider = await TestIdentityProvider.start();
    settings = {
      ...keys,
      jwks: {
        url: provider.jwksUrl,
        issuer: PROVIDER_ISSUER,
        audience: PROVIDER_AUDIENCE,
        timeoutMs: 500,
        cacheMaxAgeMs: 600_000,
        cooldownMs: 30_000,
      },
    };
  });
  afterEach(() => provider.stop());

  it.each(['RS256', 'ES256'] as const)(
    'accepts %s tokens signed with a listed key',
    async (alg) => {
      const verifier = new TokenVerifier(settings);
      const principal = await verifier.verify(
        await provider.token({ alg, subject: `idp-${alg}`, roles: ['operator'] }),
      );
      expect(principal).toMatchObject({ subject: `idp-${alg}`, roles: ['operator'] });
    },
  );

  it('fetches the key set once for many tokens, and still takes HS256 tokens', async () => {
    const verifier = new TokenVerifier(settings);
    for (let i = 0; i < 5; i += 1) await verifier.verify(await provider.token({ alg: 'ES256' }));
    await verifier.verify(await mintToken({ subject: 'c-9', roles: ['customer'] }, keys));
    expect(provider.fetches).toBe(1);
  });

  it('refuses an HS256 token whose HMAC key is the public key (algorithm confusion)', async () => {
    const verifier = new TokenVerifier(settings);
    for (const key of provider.keys) {
      const forged = await new SignJWT({ roles: ['operator'] })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .setSubject('attacker')
        .setIssuer(PROVIDER_ISSUER)
        .setAudience(PROVIDER_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(key.publicPem));
      await expect(verifier.verify(forged)).rejects.toThrow(InvalidToken);
    }
  });

  it('refuses alg none, unsigned or with a signature', async () => {
    const verifier = new TokenVerifier(settings);
    const claims = {
      sub: 'attacker',
      roles: ['operator'],
      iss: PROVIDER_ISSUER,
      aud: PROVIDER_AUDIENCE,
      iat: nowSeconds(),
      exp: nowSeconds() + 60,
    };
    for (const alg of ['none', 'None', 'NONE']) {
      await expect(verifier.verify(`${b64({ alg })}.${b64(claims)}.`)).rejects.toThrow(
        /not accepted/,
      );
    }
    const real = (await provider.token()).split('.');
    await expect(verifier.verify(`${b64({ alg: 'none' })}.${real[1]}.${real[2]}`)).rejects.toThrow(
      InvalidToken,
    );
  });

  it('refuses a key id the provider does not list, fetching again at most once per cooldown', async () => {
    const verifier = new TokenVerifier(settings);
    await verifier.verify(await provider.token());
    for (let i = 0; i < 10; i += 1) {
      await expect(verifier.verify(await provider.token({ kid: `unknown-${i}` }))).rejects.toThrow(
        /does not list/,
      );
    }
    expect(provider.fetches).toBe(1); // within the cooldown, no fetch per forged kid
  });

  it('takes a rotated-in key once the cooldown has passed', async () => {
    const verifier = new TokenVerifier({ ...settings, jwks: { ...settings.jwks!, cooldownMs: 0 } });
    await verifier.verify(await provider.token());
    const rotated = await provider.addKey('RS256');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // at most one fetch a second
    expect((await verifier.verify(await provider.token({ key: rotated }))).subject).toBe(
      'idp-customer-1',
    );
    expect(provider.fetches).toBe(2);
  });

  it('refuses a token signed with a key of the wrong type for its alg (ES256 key, RS256 header)', async () => {
    const verifier = new TokenVerifier(settings);
    const es = provider.keys.find((k) => k.alg === 'ES256')!;
    const token = await provider.token({ alg: 'ES256', kid: es.kid });
    const [, payload, signature] = token.split('.');
    await expect(
      verifier.verify(`${b64({ alg: 'RS256', kid: es.kid })}.${payload}.${signature}`),
    ).rejects.toThrow(InvalidToken);
  });

  it('refuses another issuer or audience, and provider tokens living too long', async () => {
    const verifier = new TokenVerifier({ ...settings, maxLifetimeSeconds: 3600 });
    await expect(verifier.verify(await provider.token({ issuer: 'https://evil' }))).rejects.toThrow(
      InvalidToken,
    );
    await expect(verifier.verify(await provider.token({ audience: 'other-app' }))).rejects.toThrow(
      InvalidToken,
    );
    await expect(verifier.verify(await provider.token({ ttlSeconds: 7200 }))).rejects.toThrow(
      /lives longer/,
    );
    // A provider token is not made valid by the local issuer either.
    await expect(
      verifier.verify(await provider.token({ issuer: keys.issuer, audience: keys.audience })),
    ).rejects.toThrow(InvalidToken);
  });

  it('refuses RS256 tokens when no JWKS endpoint is configured', async () => {
    await expect(verifyToken(await provider.token(), keys)).rejects.toThrow(
      /RS256 are not accepted/,
    );
  });

  it('says the keys are unavailable, within the timeout, when the provider hangs or fails', async () => {
    provider.mode = 'slow';
    const verifier = new TokenVerifier(settings);
    const started = Date.now();
    await expect(verifier.verify(await provider.token())).rejects.toThrow(TokenKeysUnavailable);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Within a second of a failure it answers from memory, without asking the provider again.
    const fetchesAfterFailure = provider.fetches;
    provider.mode = 'ok';
    await expect(verifier.verify(await provider.token())).rejects.toThrow(TokenKeysUnavailable);
    expect(provider.fetches).toBe(fetchesAfterFailure);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    provider.mode = 'error';
    await expect(verifier.verify(await provider.token())).rejects.toThrow(TokenKeysUnavailable);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    provider.mode = 'ok';
    expect((await verifier.verify(await provider.token())).subject).toBe('idp-customer-1');
  });

  it('says the keys are unavailable when nothing listens at the JWKS address', async () => {
    const url = provider.jwksUrl;
    await provider.stop();
    const verifier = new TokenVerifier({ ...settings, jwks: { ...settings.jwks!, url } });
    await expect(verifier.verify(await provider.token())).rejects.toThrow(TokenKeysUnavailable);
    provider = await TestIdentityProvider.start([]); // for afterEach
  });
});

describe('a provider that goes down after its keys were fetched', () => {
  it('keeps verifying with the last key set it fetched', async () => {
    const provider = await TestIdentityProvider.start(['ES256']);
    try {
      const verifier = new TokenVerifier({
        ...keys,
        jwks: {
          url: provider.jwksUrl,
          issuer: PROVIDER_ISSUER,
          audience: PROVIDER_AUDIENCE,
          timeoutMs: 500,
          cacheMaxAgeMs: 1,
          cooldownMs: 0,
        },
      });
      await verifier.verify(await provider.token({ alg: 'ES256' }));
      provider.mode = 'error';
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the retry floor
      // Stale now: answered at once with the old set while a refresh (failing) runs behind it.
      expect((await verifier.verify(await provider.token({ alg: 'ES256' }))).subject).toBe(
        'idp-customer-1',
      );
      for (let i = 0; i < 50 && provider.fetches < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(provider.fetches).toBe(2); // it did try again
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await verifier.verify(await provider.token({ alg: 'ES256' }))).subject).toBe(
        'idp-customer-1',
      );
    } finally {
      await provider.stop();
    }
  });
});
