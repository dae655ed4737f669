/**
 * Verified tokens, remembered: a customer polling an order sends the same bearer token on every
 * request, and verifying it (HMAC, claims) each time was a fixed cost of every read. The cache
 * is keyed by the whole token string, so only the exact bytes that verified are answered from
 * it (a changed signature or claim is another key, and is verified), and an entry is never used
 * at or after the token's `exp` (verification itself allows a few seconds of clock skew; the
 * cache allows none). Only successful verifications are kept; a refused token is refused
 * afresh each time. Bounded: the least recently used entry goes first.
 */
import { LeastRecentlyUsed } from '@order-platform/stores';
import { type Principal, type TokenSettings, TokenVerifier } from './tokens';

/** About 2-3 MB at most: a token is a few hundred bytes. */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  expiresAtMs: number;
}

export class VerifiedTokens {
  private readonly entries: LeastRecentlyUsed<string, Entry>;

  private readonly verifyFully: (
    token: string,
  ) => Promise<{ principal: Principal; expiresAtMs: number }>;

  constructor(
    settings: TokenSettings,
    maxEntries = VERIFIED_TOKEN_CACHE_ENTRIES,
    private readonly now: () => number = Date.now,
    verifyFully?: (token: string) => Promise<{ principal: Principal; expiresAtMs: number }>,
  ) {
    this.entries = new LeastRecentlyUsed(maxEntries);
    const verifier = verifyFully ? undefined : new TokenVerifier(settings);
    this.verifyFully = verifyFully ?? ((token) => verifier!.verifyUntil(token));
  }

  /** The token's principal; throws InvalidToken (or TokenKeysUnavailable) as TokenVerifier does. */
  async verify(token: string): Promise<Principal> {
    const cached = this.entries.get(token);
    if (cached) {
      if (this.now() < cached.expiresAtMs) return cached.principal;
      this.entries.delete(token);
    }
    const { principal, expiresAtMs } = await this.verifyFully(token);
    // Frozen: the same object is handed to every request that sends this token.
    const shared = Object.freeze({ ...principal, roles: Object.freeze([...principal.roles]) });
    if (this.now() < expiresAtMs) {
      this.entries.set(token, { principal: shared as Principal, expiresAtMs });
    }
    return shared as Principal;
  }

  get size(): number {
    return this.entries.size;
  }
}
