/**
 * A stand-in identity provider for tests: RS256 and ES256 key pairs generated at test time, a
 * JWKS endpoint on a free loopback port serving their public halves, and tokens signed with them.
 * It can be told to answer slowly or not at all, and counts the key set fetches.
 */
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

export const PROVIDER_ISSUER = 'https://idp.test.example';
export const PROVIDER_AUDIENCE = 'order-platform-gateway';

export type ProviderAlgorithm = 'RS256' | 'ES256';

interface ProviderKey {
  kid: string;
  alg: ProviderAlgorithm;
  privateKey: KeyLike;
  publicJwk: JWK;
  /** The public key as PEM text: what an attacker would try as an HMAC secret. */
  publicPem: string;
}

export class TestIdentityProvider {
  readonly keys: ProviderKey[] = [];
  fetches = 0;
  /** `ok`: serve the key set; `slow`: hold the answer forever; `error`: 500. */
  mode: 'ok' | 'slow' | 'error' = 'ok';
  private readonly server: Server;
  private readonly held = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((request, response) => {
      this.fetches += 1;
      if (this.mode === 'slow') {
        this.held.add(response);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"keys":['); // and never the rest
        return;
      }
      if (this.mode === 'error') {
        response.writeHead(500).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
    });
  }

  static async start(algorithms: ProviderAlgorithm[] = ['RS256', 'ES256']) {
    const provider = new TestIdentityProvider();
    for (const alg of algorithms) await provider.addKey(alg);
    provider.server.listen(0, '127.0.0.1');
    await once(provider.server, 'listening');
    return provider;
  }

  get jwksUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  /** A new signing key, listed in the key set from the next fetch on (a rotation). */
  async addKey(alg: ProviderAlgorithm): Promise<ProviderKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${alg.toLowerCase()}-${this.keys.length + 1}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const publicPem = (publicKey as KeyObject).export({ type: 'spki', format: 'pem' }).toString();
    const key = { kid, alg, privateKey, publicJwk, publicPem };
    this.keys.push(key);
    return key;
  }

  /** A token as the provider issues it; `claims` and `header` override the defaults. */
  async token(
    options: {
      alg?: ProviderAlgorithm;
      subject?: string;
      roles?: string[];
      ttlSeconds?: number;
      issuer?: string;
      audience?: string;
      kid?: string;
      key?: ProviderKey;
    } = {},
  ): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const key = options.key ?? this.keys.find((k) => k.alg === alg);
    if (!key) throw new Error(`the provider has no ${alg} key`);
    return new SignJWT({ roles: options.roles ?? ['customer'], segment: 'standard' })
      .setProtectedHeader({ alg, kid: options.kid ?? key.kid, typ: 'JWT' })
      .setSubject(options.subject ?? 'idp-customer-1')
      .setIssuer(options.issuer ?? PROVIDER_ISSUER)
      .setAudience(options.audience ?? PROVIDER_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 600))
      .sign(key.privateKey);
  }

  async stop(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}
