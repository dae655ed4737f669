/**
 * The monolith's fraud rule and its settings (row `fraud` of `monolith.settings`). The rule is
 * the old synchronous check: reject above an amount or for a blocked customer. Two settings
 * exist for the strangler: `deferToPlatform` makes new orders wait for the platform's decision,
 * and `divergence` swaps in another threshold on purpose, a rule difference the comparator must
 * catch in demos.
 */
import type { Queryable } from './db';
import { Input } from './http';

export interface FraudSettings {
  rejectAboveCents: number;
  blockedCustomers: string[];
  deferToPlatform: boolean;
  divergence: { rejectAboveCents: number } | null;
}

export const DEFAULT_FRAUD_SETTINGS: FraudSettings = {
  rejectAboveCents: 500_000,
  blockedCustomers: [],
  deferToPlatform: false,
  divergence: null,
};

export interface RuleDecision {
  decision: 'APPROVED' | 'REJECTED';
  score: number;
  /** Why it was rejected; undefined when approved. */
  reason?: string;
}

/** PUT semantics: the body replaces the settings; an omitted field is back to its default. */
export function readFraudSettings(body: unknown): FraudSettings {
  const input = Input.of(body);
  const d = DEFAULT_FRAUD_SETTINGS;
  return {
    rejectAboveCents: input.has('rejectAboveCents')
      ? input.integer('rejectAboveCents')
      : d.rejectAboveCents,
    blockedCustomers: input.has('blockedCustomers')
      ? input.strings('blockedCustomers')
      : d.blockedCustomers,
    deferToPlatform: input.has('deferToPlatform')
      ? input.boolean('deferToPlatform')
      : d.deferToPlatform,
    divergence: input.has('divergence')
      ? { rejectAboveCents: input.object('divergence').integer('rejectAboveCents') }
      : d.divergence,
  };
}

export async function loadFraudSettings(q: Queryable): Promise<FraudSettings> {
  const { rows } = await q.query<{ value: Partial<FraudSettings> }>(
    "SELECT value FROM monolith.settings WHERE key = 'fraud'",
  );
  return { ...DEFAULT_FRAUD_SETTINGS, ...rows[0]?.value };
}

export async function saveFraudSettings(q: Queryable, settings: FraudSettings): Promise<void> {
  await q.query(
    `INSERT INTO monolith.settings (key, value) VALUES ('fraud', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(settings)],
  );
}

/**
 * A risk score from 0 to 100, deterministic so the same order always scores the same: one point
 * per 100.00 of the total plus a stable per-customer offset (0-9). Informational: the decision
 * is the threshold and the block list.
 */
export function fraudScore(totalCents: number, customerId: string): number {
  let hash = 7;
  for (const char of customerId) hash = (hash * 31 + char.charCodeAt(0)) % 10_007;
  return Math.min(100, Math.floor(totalCents / 10_000) + (hash % 10));
}

export function applyFraudRule(
  settings: FraudSettings,
  customerId: string,
  totalCents: number,
): RuleDecision {
  const score = fraudScore(totalCents, customerId);
  const threshold = settings.divergence?.rejectAboveCents ?? settings.rejectAboveCents;
  if (settings.blockedCustomers.includes(customerId)) {
    return { decision: 'REJECTED', score, reason: `fraud: customer ${customerId} is blocked` };
  }
  if (totalCents > threshold) {
    return { decision: 'REJECTED', score, reason: `fraud: total ${totalCents} above ${threshold}` };
  }
  return { decision: 'APPROVED', score };
}
