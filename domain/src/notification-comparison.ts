/**
 * How the notification stage is compared. An order gets several notifications over its life,
 * so the stage is compared once per order and kind, not once per order: each side says "the
 * customer was told `kind`" (the monolith's `LegacyCustomerNotified`; the platform's
 * `StageDecided` when its workflow notified, or under shadow would have notified), and the
 * comparison of that kind is complete when both sides have said it. A kind only one side sent
 * stays alone and is declared missing on the other side after the comparator's grace window; a
 * kind neither sent is nothing to compare. Repeats of a kind are the same fact (one id per
 * order and kind on each side), so duplicates and late facts change nothing.
 */
import {
  LEGACY_NOTIFICATION_KINDS,
  type LegacyNotificationKind,
  type MigrationStage,
} from './legacy-events';

/** What either side decided for one kind: the fields compared. */
export type NotificationDecision = {
  kind: LegacyNotificationKind;
  notified: true;
};

export const notificationDecision = (kind: LegacyNotificationKind): NotificationDecision => ({
  kind,
  notified: true,
});

/** Whether the platform compares `kind` with the monolith (the order's own changes only). */
export const isComparedNotificationKind = (kind: unknown): kind is LegacyNotificationKind =>
  (LEGACY_NOTIFICATION_KINDS as readonly unknown[]).includes(kind);

/**
 * Which comparison of its order and stage a decision belongs to: '' for the stages decided once
 * per order, the kind for notification; undefined for a notification decision that names no
 * compared kind (nothing to compare it with).
 */
export function comparisonSubject(
  stage: MigrationStage,
  decision: Readonly<Record<string, unknown>>,
): string | undefined {
  if (stage !== 'notification') return '';
  return isComparedNotificationKind(decision.kind) ? decision.kind : undefined;
}
