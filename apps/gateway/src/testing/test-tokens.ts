/** Tokens for the gateway's end-to-end suites, signed with the suite stack's key. */
import type { CustomerSegment } from '@order-platform/domain';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  mintToken,
  type Role,
  type TokenKeys,
} from '../auth/tokens';

export function stackTokenKeys(): TokenKeys {
  const jwtSecret = process.env.GATEWAY_JWT_SECRET;
  if (!jwtSecret)
    throw new Error('GATEWAY_JWT_SECRET is not set: run through the integration suite');
  return { jwtSecret, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE };
}

/**
 * A token as the identity provider issues it: customers as `standard` unless `segment` says
 * otherwise (`null`: no segment claim at all).
 */
export const tokenFor = (
  role: Role,
  subject: string,
  ttlSeconds = 600,
  segment: CustomerSegment | null = 'standard',
): Promise<string> =>
  mintToken(
    {
      subject,
      roles: [role],
      ttlSeconds,
      ...(role === 'customer' && segment !== null ? { segment } : {}),
    },
    stackTokenKeys(),
  );
