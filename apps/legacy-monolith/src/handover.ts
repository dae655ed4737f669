/**
 * Handing stages over to the platform (the strangler): row `handover` of `monolith.settings`,
 * per stage the share of orders (0-100) whose stage the monolith no longer decides itself. It
 * waits for the platform's outcome and records it instead (fraud decision, stock reservation,
 * payment authorization, shipment, customer notifications).
 *
 * Which orders: the same sticky split as the platform's ramp, FNV-1a 32-bit of
 * `<stage>:<orderId>` modulo 100 below the share, so with the share set to the route's
 * `newPercent` both systems pick the same orders. The monolith decides once, at placement, and
 * writes the stages it handed over on the order row (`handed_over`) and in `OrderPlaced`: that
 * is what the platform acts on for this order, whatever changes later.
 */
import type { Queryable } from './db';
import { Input, problem } from './http';

export const STAGES = ['fraud', 'inventory', 'payment', 'fulfilment', 'notification'] as const;
export type Stage = (typeof STAGES)[number];

export type HandoverSettings = Record<Stage, number>;

export const NO_HANDOVER: HandoverSettings = {
  fraud: 0,
  inventory: 0,
  payment: 0,
  fulfilment: 0,
  notification: 0,
};

/** PUT semantics: the body replaces the settings; an omitted stage is handed over for none. */
export function readHandoverSettings(body: unknown): HandoverSettings {
  const input = Input.of(body);
  const unknown = Object.keys(body as object).find((key) => !STAGES.includes(key as Stage));
  if (unknown !== undefined) {
    throw problem('invalid-request', `no stage ${unknown} (stages: ${STAGES.join(', ')})`, {
      field: unknown,
    });
  }
  return Object.fromEntries(
    STAGES.map((stage) => [stage, input.has(stage) ? input.integer(stage, 0, 100) : 0]),
  ) as HandoverSettings;
}

export async function loadHandoverSettings(q: Queryable): Promise<HandoverSettings> {
  const { rows } = await q.query<{ value: Partial<HandoverSettings> }>(
    "SELECT value FROM monolith.settings WHERE key = 'handover'",
  );
  return { ...NO_HANDOVER, ...rows[0]?.value };
}

export async function saveHandoverSettings(q: Queryable, settings: HandoverSettings) {
  await q.query(
    `INSERT INTO monolith.settings (key, value) VALUES ('handover', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(settings)],
  );
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/**
 * The stages this order hands over. `fraudDeferred` is the older fraud setting
 * (`deferToPlatform`), which hands fraud over for every order.
 */
export function handedOverStages(
  orderId: string,
  settings: HandoverSettings,
  fraudDeferred: boolean,
): Stage[] {
  return STAGES.filter(
    (stage) =>
      (stage === 'fraud' && fraudDeferred) ||
      fnv1a32(`${stage}:${orderId}`) % 100 < settings[stage],
  );
}
