/** Durations in policy files are written for people ("15m", "24h", "7d") and kept in ms. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (examples: 500ms, 30s, 15m, 24h, 7d)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

export const MINUTE = UNIT_MS.m!;
export const HOUR = UNIT_MS.h!;
export const DAY = UNIT_MS.d!;
