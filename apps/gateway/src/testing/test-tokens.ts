/** Tokens for the gateway's end-to-end suites, signed with the suite stack's key. */
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

export const tokenFor = (role: Role, subject: string, ttlSeconds = 600): Promise<string> =>
  mintToken({ subject, roles: [role], ttlSeconds }, stackTokenKeys());
