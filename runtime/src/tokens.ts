/**
 * Minting the platform's bearer tokens (HS256 JWTs: `sub`, `roles`, optional `segment`) for
 * local use, tests and scenarios: `npm run token`, the suites, the Black Friday scenario.
 * Production tokens come from the company's identity provider with the same claims; the
 * gateway verifies them (apps/gateway/src/auth/tokens.ts).
 */
import { SignJWT } from 'jose';

/** Defaults of GATEWAY_JWT_ISSUER / GATEWAY_JWT_AUDIENCE. */
export const DEFAULT_ISSUER = 'order-platform-local';
export const DEFAULT_AUDIENCE = 'order-platform-gateway';

export interface TokenKeys {
  jwtSecret: string;
  issuer: string;
  audience: string;
}

export const tokenKey = (keys: TokenKeys): Uint8Array => new TextEncoder().encode(keys.jwtSecret);

/** The key of a stack's gateway: its secret, and issuer and audience as configured. */
export const stackTokenKeys = (env: NodeJS.ProcessEnv, jwtSecret: string): TokenKeys => ({
  jwtSecret,
  issuer: env.GATEWAY_JWT_ISSUER || DEFAULT_ISSUER,
  audience: env.GATEWAY_JWT_AUDIENCE || DEFAULT_AUDIENCE,
});

export async function mintToken(
  claims: { subject: string; roles: string[]; segment?: string; ttlSeconds?: number },
  keys: TokenKeys,
): Promise<string> {
  return new SignJWT({
    roles: claims.roles,
    ...(claims.segment ? { segment: claims.segment } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(keys.issuer)
    .setAudience(keys.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.ttlSeconds ?? 3600))
    .sign(tokenKey(keys));
}
