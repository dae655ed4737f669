/**
 * What each side decided for each migrating stage, normalised so the two can be compared:
 * volatile ids (authorization, reservation), timestamps and each side's wording are dropped,
 * amounts are minor units on both sides. A fact that records no stage decision maps to nothing.
 * Notification is compared once per order and kind (domain `comparisonSubject`): which kinds the
 * customer was told, not who sent them or with which reference.
 */
import {
  comparisonSubject,
  type IgnoreRule,
  type LegacyEvent,
  type LifecycleEvent,
  MIGRATION_STAGES,
  type MigrationStage,
  notificationDecision,
} from '@order-platform/domain';

/** A stage's decision as compared: flat fields, values that are equal when the decisions agree. */
export type Decision = Record<string, string | number | boolean>;

export interface StageDecision {
  stage: MigrationStage;
  /** Which of the order's comparisons of the stage: '' once per order, the kind for notification. */
  subject: string;
  decision: Decision;
  /** The fact's place in its side's lifecycle, to tell a late fact from a second one. */
  sequence: number;
  eventId: string;
}

export function legacyDecision(event: LegacyEvent): StageDecision | undefined {
  const at = { subject: '', sequence: event.sequence, eventId: event.eventId };
  switch (event.eventType) {
    case 'LegacyFraudDecided':
      return {
        stage: 'fraud',
        decision: { decision: (event as LegacyEvent<'LegacyFraudDecided'>).payload.decision },
        ...at,
      };
    case 'LegacyStockReserved':
      return { stage: 'inventory', decision: { reserved: true }, ...at };
    case 'LegacyPaymentAuthorized': {
      const { amountMinor } = (event as LegacyEvent<'LegacyPaymentAuthorized'>).payload;
      return { stage: 'payment', decision: { authorized: true, amountMinor }, ...at };
    }
    case 'LegacyOrderShipped':
      return { stage: 'fulfilment', decision: { shipped: true }, ...at };
    case 'LegacyCustomerNotified': {
      const { kind } = (event as LegacyEvent<'LegacyCustomerNotified'>).payload;
      return { stage: 'notification', decision: notificationDecision(kind), ...at, subject: kind };
    }
    default:
      return undefined;
  }
}

/**
 * The workflows' side. A fact a workflow recorded by following the monolith (`followed:
 * 'legacy'`) is the monolith's decision echoed, never compared; for monolith orders the
 * platform's own decisions arrive as `StageDecided`.
 */
export function newDecision(event: LifecycleEvent): StageDecision | undefined {
  const at = { subject: '', sequence: event.sequence, eventId: event.eventId };
  const payload = event.payload as Record<string, unknown>;
  if (payload.followed === 'legacy') return undefined;
  switch (event.eventType) {
    case 'StageDecided': {
      const stage = payload.stage as MigrationStage;
      const decision = payload.decision as Decision;
      if (!MIGRATION_STAGES.includes(stage) || typeof decision !== 'object' || decision === null)
        return undefined;
      const subject = comparisonSubject(stage, decision);
      return subject === undefined ? undefined : { stage, decision, ...at, subject };
    }
    case 'FraudApproved':
      return { stage: 'fraud', decision: { decision: 'approve' }, ...at };
    case 'OrderRejected':
      return payload.reason === 'FraudRejected' || payload.reason === 'RejectedInManualReview'
        ? { stage: 'fraud', decision: { decision: 'reject' }, ...at }
        : undefined;
    case 'InventoryReserved':
      return { stage: 'inventory', decision: { reserved: true }, ...at };
    case 'PaymentAuthorized':
      return {
        stage: 'payment',
        decision: { authorized: true, amountMinor: Number(payload.amountMinor) },
        ...at,
      };
    case 'OrderShipped':
      return { stage: 'fulfilment', decision: { shipped: true }, ...at };
    default:
      return undefined;
  }
}

export interface Difference {
  field: string;
  legacy: unknown;
  new: unknown;
}

/** Field by field; a field only one side has is a difference too. */
export function differencesOf(legacy: Decision, newer: Decision): Difference[] {
  const fields = [...new Set([...Object.keys(legacy), ...Object.keys(newer)])].sort();
  return fields
    .filter((field) => legacy[field] !== newer[field])
    .map((field) => ({ field, legacy: legacy[field] ?? null, new: newer[field] ?? null }));
}

/**
 * The verdict for a stage with both decisions in hand. Known, accepted differences are excused
 * by a live ignore rule (an expired rule excuses nothing); a mismatch every difference of which
 * is excused counts as excused, and names the rules (each gets a hit).
 */
export function verdict(
  stage: MigrationStage,
  legacy: Decision,
  newer: Decision,
  rules: readonly IgnoreRule[],
  now: Date,
): { outcome: 'match' | 'mismatch'; differences: Difference[]; excusedBy: string[] } {
  const differences = differencesOf(legacy, newer);
  if (differences.length === 0) return { outcome: 'match', differences, excusedBy: [] };
  const live = rules.filter((rule) => rule.stage === stage && rule.expiresAt > now);
  const excuses = differences.map((d) => live.find((rule) => rule.field === d.field));
  const excusedBy = excuses.every((rule) => rule !== undefined)
    ? [...new Set(excuses.map((rule) => rule!.id))]
    : [];
  return { outcome: 'mismatch', differences, excusedBy };
}
