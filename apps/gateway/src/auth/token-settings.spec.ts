import { generateCodecKey } from '@order-platform/runtime';
import { loadGatewayConfig } from '../config';
import { DEFAULT_AUDIENCE, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from './tokens';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  GATEWAY_JWT_SECRET: 'a-test-secret-of-at-least-thirty-two-characters',
  PAYLOAD_CODEC_KEYS: generateCodecKey('k1'),
};
const problemsOf = (env: NodeJS.ProcessEnv): string => {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe("the gateway's token settings", () => {
  it('takes HS256 tokens only, living at most 12 hours, unless told otherwise', () => {
    const { auth } = loadGatewayConfig(base);
    expect(auth.jwks).toBeUndefined();
    expect(auth.maxLifetimeSeconds).toBe(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
  });

  it("takes a provider's JWKS endpoint with its issuer, the audience defaulting to the gateway's", () => {
    const { auth } = loadGatewayConfig({
      ...base,
      GATEWAY_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      GATEWAY_JWKS_ISSUER: 'https://idp.example',
    });
    expect(auth.jwks).toMatchObject({
      url: 'https://idp.example/.well-known/jwks.json',
      issuer: 'https://idp.example',
      audience: DEFAULT_AUDIENCE,
      timeoutMs: 3000,
    });
  });

  it('refuses a JWKS endpoint without an issuer, or in clear off this host', () => {
    expect(problemsOf({ ...base, GATEWAY_JWKS_URL: 'https://idp.example/jwks.json' })).toMatch(
      /GATEWAY_JWKS_ISSUER is required/,
    );
    expect(
      problemsOf({
        ...base,
        GATEWAY_JWKS_URL: 'http://idp.example/jwks.json',
        GATEWAY_JWKS_ISSUER: 'https://idp.example',
      }),
    ).toMatch(/GATEWAY_JWKS_URL must be https/);
    expect(
      loadGatewayConfig({
        ...base,
        GATEWAY_JWKS_URL: 'http://127.0.0.1:4000/jwks.json',
        GATEWAY_JWKS_ISSUER: 'https://idp.example',
      }).auth.jwks?.url,
    ).toBe('http://127.0.0.1:4000/jwks.json');
  });

  it('refuses a lifetime bound out of range', () => {
    expect(problemsOf({ ...base, GATEWAY_JWT_MAX_LIFETIME_SECONDS: '0' })).toMatch(
      /GATEWAY_JWT_MAX_LIFETIME_SECONDS must be an integer from 60 to 604800/,
    );
  });
});
