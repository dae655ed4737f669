/**
 * Tokens from a real identity provider, on the real stack: a gateway configured with a JWKS
 * endpoint (a stand-in provider this suite starts, with RS256 and ES256 keys generated now)
 * takes the provider's tokens besides its own HS256 ones, refuses forged ones with a 401
 * problem, answers 503 (not 401) while the provider's keys cannot be fetched, and audits an
 * operator's action as the token's subject whatever the body says.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Client as PgClient } from 'pg';
import { AppsUnderTest, gatewayCall, suiteEnv, suiteTemporal } from '@order-platform/tools';
import {
  PROVIDER_AUDIENCE,
  PROVIDER_ISSUER,
  TestIdentityProvider,
} from './testing/identity-provider';
import { tokenFor } from './testing/test-tokens';

describe('identity provider tokens (JWKS) on the real stack', () => {
  const apps = new AppsUnderTest('gateway-jwks');
  let provider: TestIdentityProvider;
  let gateway: string;

  beforeAll(async () => {
    provider = await TestIdentityProvider.start();
    provider.mode = 'slow'; // until the first test: the gateway must not need it to start
    gateway = await apps.start('gateway', 'gateway', {
      GATEWAY_JWKS_URL: provider.jwksUrl,
      GATEWAY_JWKS_ISSUER: PROVIDER_ISSUER,
      GATEWAY_JWKS_AUDIENCE: PROVIDER_AUDIENCE,
      GATEWAY_JWKS_TIMEOUT_MS: '1000',
      GATEWAY_JWT_MAX_LIFETIME_SECONDS: '3600',
    });
  }, 120_000);

  afterAll(async () => {
    await apps.stopAll();
    await provider.stop();
  });

  it('answers 503 with Retry-After while the provider hangs, then takes its tokens', async () => {
    const token = await provider.token({ alg: 'RS256', subject: 'idp-c-1' });
    const hung = await gatewayCall(gateway, 'GET', '/v1/orders', { token });
    expect(hung.status).toBe(503);
    expect(hung.body.type).toBe('urn:order-platform:problem:temporarily-unavailable');
    expect(hung.headers.get('retry-after')).toBeTruthy();

    provider.mode = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // it asks at most once a second
    const listed = await gatewayCall(gateway, 'GET', '/v1/orders', { token });
    expect(listed.status).toBe(200);
  });

  it('takes RS256 and ES256 provider tokens and its own HS256 ones, with their roles', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const operator = await provider.token({
        alg,
        subject: `idp-ops-${alg}`,
        roles: ['operator'],
      });
      expect(
        (await gatewayCall(gateway, 'GET', '/v1/ops/backlog', { token: operator })).status,
      ).toBe(200);
      const customer = await provider.token({ alg, subject: `idp-c-${alg}` });
      expect(
        (await gatewayCall(gateway, 'GET', '/v1/ops/backlog', { token: customer })).status,
      ).toBe(403);
    }
    const local = await tokenFor('customer', 'c-local');
    expect((await gatewayCall(gateway, 'GET', '/v1/orders', { token: local })).status).toBe(200);
  });

  it('refuses forged and overlong tokens with a 401 problem', async () => {
    const publicKeyAsSecret = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'HS256', kid: provider.keys[0]!.kid })
      .setSubject('attacker')
      .setIssuer(PROVIDER_ISSUER)
      .setAudience(PROVIDER_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(provider.keys[0]!.publicPem));
    const [, claims] = (await provider.token({ roles: ['operator'] })).split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${claims}.`;
    const unknownKid = await provider.token({ kid: 'not-listed', roles: ['operator'] });
    const otherIssuer = await provider.token({
      issuer: 'https://evil.example',
      roles: ['operator'],
    });
    const overlong = await provider.token({ ttlSeconds: 7200, roles: ['operator'] });
    const fetchesBefore = provider.fetches;
    for (const token of [publicKeyAsSecret, unsigned, unknownKid, otherIssuer, overlong]) {
      const reply = await gatewayCall(gateway, 'GET', '/v1/ops/backlog', { token });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toContain('application/problem+json');
      expect(reply.body.type).toBe('urn:order-platform:problem:unauthenticated');
    }
    // The unknown kid may cost one fetch, never one per request.
    expect(provider.fetches - fetchesBefore).toBeLessThanOrEqual(1);
  });

  it("audits and starts an operator's action as the provider token's subject, never a body's", async () => {
    const subject = `idp-ops-${randomUUID().slice(0, 8)}`;
    const token = await provider.token({ alg: 'ES256', subject, roles: ['operator'] });
    const orderId = randomUUID();
    for (const forged of [{ operatorId: 'ops-else' }, { requestedBy: 'ops-else' }, { by: 'x' }]) {
      const refused = await gatewayCall(gateway, 'POST', '/v1/ops/reconciliation/runs', {
        token,
        body: { orderId, ...forged },
      });
      expect(refused.status).toBe(400);
    }
    const started = await gatewayCall(gateway, 'POST', '/v1/ops/reconciliation/runs', {
      token,
      body: { orderId },
    });
    expect(started.status).toBe(202);
    const { runId } = started.body as { runId: string };

    const db = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await db.connect();
    const temporal = await suiteTemporal();
    try {
      const { rows } = await db.query<{ operator_id: string; subject: string }>(
        "SELECT operator_id, subject FROM operator_audit WHERE action = 'reconciliation-run' AND operator_id IN ($1, 'ops-else', 'x')",
        [subject],
      );
      expect(rows).toEqual([{ operator_id: subject, subject: runId }]);
      const handle = temporal.client.workflow.getHandle(runId);
      expect((await handle.describe()).memo).toEqual({ requestedBy: subject });
      await handle.terminate('the suite only needed it started'); // no worker polls its queue
    } finally {
      await temporal.close();
      await db.end();
    }
  });
});
