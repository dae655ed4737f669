/**
 * Bearer tokens: HS256 JWTs whose `sub` is the customer (or operator) id and whose `roles` say
 * what the caller may do. Verification checks signature, algorithm, issuer, audience and expiry;
 * minting is for local use (`npm run token`) and tests: production tokens come from the
 * company's identity provider with the same claims.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { CUSTOMER_SEGMENTS, type CustomerSegment } from '@order-platform/domain';

export const ROLES = ['customer', 'operator'] as const;
/** Defaults of GATEWAY_JWT_ISSUER / GATEWAY_JWT_AUDIENCE, shared by the gateway and `npm run token`. */
export const DEFAULT_ISSUER = 'order-platform-local';
export const DEFAULT_AUDIENCE = 'order-platform-gateway';
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The token's `sub`: the customer id for customers, the operator id for operators. */
  subject: string;
  roles: Role[];
  /** Which stage policies apply to this customer's orders (`segment` claim; default standard). */
  segment: CustomerSegment;
}

export interface TokenKeys {
  jwtSecret: string;
  issuer: string;
  audience: string;
}

export class InvalidToken extends Error {}

const key = (keys: TokenKeys): Uint8Array => new TextEncoder().encode(keys.jwtSecret);
const SUBJECT = /^[A-Za-z0-9_.@:-]{1,128}$/;

export async function verifyToken(token: string, keys: TokenKeys): Promise<Principal> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key(keys), {
      algorithms: ['HS256'],
      issuer: keys.issuer,
      audience: keys.audience,
      requiredClaims: ['sub', 'exp'],
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new InvalidToken('the token has expired');
    if (error instanceof errors.JOSEError) throw new InvalidToken('the token is not valid');
    throw error;
  }
  const subject = payload.sub ?? '';
  if (!SUBJECT.test(subject)) throw new InvalidToken('the token has no usable subject');
  const roles = Array.isArray(payload.roles)
    ? (payload.roles as unknown[]).filter((role): role is Role => ROLES.includes(role as Role))
    : [];
  const segment = CUSTOMER_SEGMENTS.includes(payload.segment as CustomerSegment)
    ? (payload.segment as CustomerSegment)
    : 'standard';
  return { subject, roles, segment };
}

export async function mintToken(
  claims: { subject: string; roles: Role[]; segment?: CustomerSegment; ttlSeconds?: number },
  keys: TokenKeys,
): Promise<string> {
  if (!SUBJECT.test(claims.subject)) throw new Error(`not a usable subject: ${claims.subject}`);
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
    .sign(key(keys));
}
