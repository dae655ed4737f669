/**
 * Mints a bearer token for trying the API by hand on the local platform:
 *   npm run token -- customer <customerId> [--segment standard|vip|new-customer] [--ttl 3600]
 *   npm run token -- operator <operatorId> [--ttl 3600]
 * Signed with GATEWAY_JWT_SECRET, or the secret `npm start` generated for the stack in
 * .stack/stack.json. Prints the token alone, for `TOKEN=$(npm run -s token -- customer c-1)`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CUSTOMER_SEGMENTS, type CustomerSegment } from '@order-platform/domain';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  mintToken,
  type Role,
  ROLES,
} from './auth/tokens';

function stackSecret(): string | undefined {
  const file = join(
    process.env.STACK_STATE_DIR ?? join(__dirname, '../../..', '.stack'),
    'stack.json',
  );
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { env?: { GATEWAY_JWT_SECRET?: string } }).env
    ?.GATEWAY_JWT_SECRET;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { segment: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
  });
  const [role, subject] = positionals;
  if (!ROLES.includes(role as Role) || !subject) {
    throw new Error(
      `usage: token <${ROLES.join('|')}> <id> [--segment ${CUSTOMER_SEGMENTS.join('|')}] [--ttl seconds]`,
    );
  }
  if (values.segment && !CUSTOMER_SEGMENTS.includes(values.segment as CustomerSegment)) {
    throw new Error(`--segment must be one of ${CUSTOMER_SEGMENTS.join(', ')}`);
  }
  // The gateway refuses a token living longer than its maximum: say so now, not with a 401 later.
  const ttl = Number(values.ttl);
  const maxTtl = Number(
    process.env.GATEWAY_JWT_MAX_LIFETIME_SECONDS || DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  );
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > maxTtl) {
    throw new Error(
      `--ttl must be whole seconds from 1 to ${maxTtl} (GATEWAY_JWT_MAX_LIFETIME_SECONDS)`,
    );
  }
  const jwtSecret = process.env.GATEWAY_JWT_SECRET || stackSecret();
  if (!jwtSecret)
    throw new Error('no GATEWAY_JWT_SECRET and no local stack: run `npm start` first');
  const token = await mintToken(
    {
      subject,
      roles: [role as Role],
      ...(values.segment ? { segment: values.segment as CustomerSegment } : {}),
      ttlSeconds: ttl,
    },
    {
      jwtSecret,
      issuer: process.env.GATEWAY_JWT_ISSUER || DEFAULT_ISSUER,
      audience: process.env.GATEWAY_JWT_AUDIENCE || DEFAULT_AUDIENCE,
    },
  );
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
