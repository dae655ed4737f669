/**
 * Bearer tokens: HS256 JWTs whose `sub` is the customer (or operator) id and whose `roles` say
 * what the caller may do. Verification checks signature, algorithm, issuer, audience and expiry;
 * minting is for local use (`npm run token`) and tests: production tokens come from the
 * company's identity provider with the same claims.
 */
import { errors, jwtVerify } from 'jose';
import {
  CUSTOMER_SEGMENTS,
  type CustomerSegment,
  MOST_CAREFUL_SEGMENT,
} from '@order-platform/domain';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  mintToken as mintAnyToken,
  tokenKey,
  type TokenKeys,
} from '@order-platform/runtime';

export { DEFAULT_AUDIENCE, DEFAULT_ISSUER, type TokenKeys };
export const ROLES = ['customer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The token's `sub`: the customer id for customers, the operator id for operators. */
  subject: string;
  roles: Role[];
  /**
   * Which stage policies apply to this customer's orders: the `segment` claim, or the most
   * careful segment when the token has none (or one this gateway does not know): fail closed.
   */
  segment: CustomerSegment;
}

export class InvalidToken extends Error {}

const SUBJECT = /^[A-Za-z0-9_.@:-]{1,128}$/;

export async function verifyToken(token: string, keys: TokenKeys): Promise<Principal> {
  return (await verifyTokenUntil(token, keys)).principal;
}

/** The principal, and the token's `exp` in epoch milliseconds (how long the answer holds). */
export async function verifyTokenUntil(
  token: string,
  keys: TokenKeys,
): Promise<{ principal: Principal; expiresAtMs: number }> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, tokenKey(keys), {
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
    : MOST_CAREFUL_SEGMENT;
  // requiredClaims made `exp` present, and jose checked it is a number.
  return { principal: { subject, roles, segment }, expiresAtMs: payload.exp! * 1000 };
}

/** A token this gateway accepts (the subject checked as verification will check it). */
export async function mintToken(
  claims: { subject: string; roles: Role[]; segment?: CustomerSegment; ttlSeconds?: number },
  keys: TokenKeys,
): Promise<string> {
  if (!SUBJECT.test(claims.subject)) throw new Error(`not a usable subject: ${claims.subject}`);
  return mintAnyToken(claims, keys);
}
