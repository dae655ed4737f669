/**
 * Bearer tokens: JWTs whose `sub` is the customer (or operator) id and whose `roles` say what the
 * caller may do. Two kinds are accepted, told apart by the token's `alg` header:
 * - HS256, signed with the shared secret (GATEWAY_JWT_SECRET): minted locally (`npm run token`),
 *   by the facade and by tests;
 * - RS256 or ES256, signed by an identity provider whose public keys the gateway fetches from its
 *   JWKS endpoint (GATEWAY_JWKS_URL), with that provider's issuer and audience.
 * Any other `alg` (`none` included) is refused, and each kind is verified with its own key only,
 * so an HS256 token "signed" with a provider's public key is checked against the secret and fails.
 * Verification checks signature, algorithm, issuer, audience, expiry and the token's lifetime
 * (`exp` - `iat` at most GATEWAY_JWT_MAX_LIFETIME_SECONDS): a stolen token is good for hours,
 * not for years.
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
} from 'jose';
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

/** Default of GATEWAY_JWT_MAX_LIFETIME_SECONDS: a working day and a bit. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;
/** The asymmetric algorithms accepted from the identity provider. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Where an identity provider publishes its signing keys, and what its tokens must say. */
export interface JwksSettings {
  url: string;
  issuer: string;
  audience: string;
  /** How long one fetch of the key set may take, all told. */
  timeoutMs: number;
  /** How long a fetched key set is used before it is fetched again. */
  cacheMaxAgeMs: number;
  /** At most one fetch per this long for a key id not in the set (an unknown `kid`). */
  cooldownMs: number;
}

/** What the gateway verifies tokens with (GatewayConfig.auth). */
export interface TokenSettings extends TokenKeys {
  /** Longest `exp` - `iat` accepted; absent: DEFAULT_MAX_TOKEN_LIFETIME_SECONDS. */
  maxLifetimeSeconds?: number;
  jwks?: JwksSettings;
}

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

/** The token is refused: 401. */
export class InvalidToken extends Error {}

/** The identity provider's keys could not be fetched, so a JWKS token cannot be judged: 503. */
export class TokenKeysUnavailable extends Error {}

const SUBJECT = /^[A-Za-z0-9_.@:-]{1,128}$/;
const CLOCK_TOLERANCE_SECONDS = 5;

type KeyLookup = ProviderKeySet['lookup'];

/** Verifies tokens; one per gateway, as it keeps the identity provider's key set fetched. */
export class TokenVerifier {
  private readonly secret: Uint8Array;
  private readonly maxLifetimeSeconds: number;
  private readonly providerKeys?: KeyLookup;

  constructor(private readonly settings: TokenSettings) {
    this.secret = tokenKey(settings);
    this.maxLifetimeSeconds = settings.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
    const jwks = settings.jwks;
    if (jwks) {
      this.providerKeys = new ProviderKeySet(jwks).lookup;
    }
  }

  async verify(token: string): Promise<Principal> {
    return (await this.verifyUntil(token)).principal;
  }

  /** The principal, and the token's `exp` in epoch milliseconds (how long the answer holds). */
  async verifyUntil(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
    let payload: JWTPayload;
    try {
      payload = await this.verifiedPayload(token);
    } catch (error) {
      if (error instanceof InvalidToken || error instanceof TokenKeysUnavailable) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidToken('the token has expired');
      if (error instanceof errors.JWKSNoMatchingKey)
        throw new InvalidToken(
          'the token was signed with a key the identity provider does not list',
        );
      if (error instanceof errors.JOSEError) throw new InvalidToken('the token is not valid');
      throw error;
    }
    // requiredClaims made `exp` and `iat` present, and jose checked they are numbers.
    const lifetime = payload.exp! - payload.iat!;
    const remaining = payload.exp! - Date.now() / 1000;
    if (
      lifetime > this.maxLifetimeSeconds ||
      remaining > this.maxLifetimeSeconds + CLOCK_TOLERANCE_SECONDS
    ) {
      throw new InvalidToken(
        `the token lives longer than the ${this.maxLifetimeSeconds} s this gateway accepts`,
      );
    }
    const subject = payload.sub ?? '';
    if (!SUBJECT.test(subject)) throw new InvalidToken('the token has no usable subject');
    const roles = Array.isArray(payload.roles)
      ? (payload.roles as unknown[]).filter((role): role is Role => ROLES.includes(role as Role))
      : [];
    const segment = CUSTOMER_SEGMENTS.includes(payload.segment as CustomerSegment)
      ? (payload.segment as CustomerSegment)
      : MOST_CAREFUL_SEGMENT;
    return { principal: { subject, roles, segment }, expiresAtMs: payload.exp! * 1000 };
  }

  private async verifiedPayload(token: string): Promise<JWTPayload> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new InvalidToken('the token is not valid');
    }
    const claims = {
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    if (alg === 'HS256') {
      return (
        await jwtVerify(token, this.secret, {
          ...claims,
          algorithms: ['HS256'],
          issuer: this.settings.issuer,
          audience: this.settings.audience,
        })
      ).payload;
    }
    const jwks = this.settings.jwks;
    if (jwks && this.providerKeys && (JWKS_ALGORITHMS as readonly string[]).includes(alg ?? '')) {
      return (
        await jwtVerify(token, this.providerKeys, {
          ...claims,
          algorithms: [...JWKS_ALGORITHMS],
          issuer: jwks.issuer,
          audience: jwks.audience,
        })
      ).payload;
    }
    throw new InvalidToken(`tokens signed with ${alg ?? 'no algorithm'} are not accepted`);
  }
}

/** A key set larger than this is no key set (a provider lists a handful of keys). */
const MAX_KEY_SET_BYTES = 1 << 20;
/** At most one fetch per this long (a provider that is down is not hammered by requests). */
const RETRY_FLOOR_MS = 1_000;

/**
 * The identity provider's key set, fetched on first use and again once older than
 * `cacheMaxAgeMs`, or on a key id it does not list (at most once per `cooldownMs`). One fetch at
 * a time, bounded as a whole by `timeoutMs` (headers and body: a provider trickling its answer
 * cannot hold verification up) and by size, and none within a second of a failed one. A stale
 * set is refreshed behind the request that found it stale, and still used when the refresh
 * fails; with no set at all, TokenKeysUnavailable (503). jose's own remote key set was not used: its
 * timeout does not cover the body, and one hung fetch there blocks every later one.
 */
class ProviderKeySet {
  private keys?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = 0;
  private attemptedAt = -Infinity;
  private pending?: Promise<void>;

  constructor(private readonly settings: JwksSettings) {}

  readonly lookup = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    if (!this.keys) {
      // Nothing to judge with: wait for a fetch, but not one per request while the provider is
      // down (a failure is answered from memory for RETRY_FLOOR_MS).
      if (Date.now() - this.attemptedAt < RETRY_FLOOR_MS && !this.pending) {
        throw new TokenKeysUnavailable("the identity provider's keys could not be fetched");
      }
      await this.refresh();
    } else if (this.stale() && !this.pending && Date.now() - this.attemptedAt >= RETRY_FLOOR_MS) {
      // Stale but usable: refreshed behind the request, which does not wait for it.
      this.refresh().catch(() => undefined);
    }
    try {
      return await this.keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const cooldown = Math.max(this.settings.cooldownMs, RETRY_FLOOR_MS);
      if (Date.now() - this.attemptedAt < cooldown) throw error;
      await this.refresh();
      return this.keys!(header, token);
    }
  };

  private stale(): boolean {
    return Date.now() - this.fetchedAt >= this.settings.cacheMaxAgeMs;
  }

  private async refresh(): Promise<void> {
    this.pending ??= this.fetchKeys().finally(() => (this.pending = undefined));
    try {
      await this.pending;
    } catch (error) {
      if (!this.keys) throw error;
    }
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = Date.now();
    const { url, timeoutMs } = this.settings;
    let body: unknown;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/json' },
        redirect: 'error',
      });
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      body = JSON.parse(await boundedText(response, MAX_KEY_SET_BYTES));
    } catch {
      throw new TokenKeysUnavailable(
        `the identity provider's keys could not be fetched within ${timeoutMs} ms`,
      );
    }
    try {
      this.keys = createLocalJWKSet(body as JSONWebKeySet);
    } catch {
      throw new TokenKeysUnavailable("the identity provider's answer is not a key set");
    }
    this.fetchedAt = Date.now();
  }
}

async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error('too large');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) throw new Error('too large');
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One-off verification (tests, benchmarks): the gateway keeps one TokenVerifier instead. */
export async function verifyToken(token: string, settings: TokenSettings): Promise<Principal> {
  return new TokenVerifier(settings).verify(token);
}

/** A token this gateway accepts (the subject checked as verification will check it). */
export async function mintToken(
  claims: { subject: string; roles: Role[]; segment?: CustomerSegment; ttlSeconds?: number },
  keys: TokenKeys,
): Promise<string> {
  if (!SUBJECT.test(claims.subject)) throw new Error(`not a usable subject: ${claims.subject}`);
  return mintAnyToken(claims, keys);
}
