/**
 * Customer notifications are promises: one per commitment change, at most once each, and never
 * one that contradicts what the customer was told before.
 */
export const NOTIFICATION_KINDS = [
  'delayed',
  'confirmed',
  'shipped',
  'delivered',
  'cancelled',
  'rejected',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const FINAL: readonly NotificationKind[] = ['delivered', 'cancelled', 'rejected'];

/** Whether `next` may follow the notifications already sent, in order. */
export function mayNotify(sent: readonly NotificationKind[], next: NotificationKind): boolean {
  if (sent.includes(next)) return false; // at most once per change
  if (sent.some((kind) => FINAL.includes(kind))) return false; // nothing after the last word
  if (next === 'delayed' && sent.includes('confirmed')) return false; // a confirmed order is not "still checking"
  if (next === 'delivered' && !sent.includes('shipped')) return false;
  return true;
}

export const NOTIFICATION_MESSAGES: Readonly<Record<NotificationKind, string>> = {
  delayed:
    'Checking your order is taking longer than usual. We will write again as soon as it is confirmed.',
  confirmed: 'Your order is confirmed.',
  shipped: 'Your order is on its way.',
  delivered: 'Your order was delivered.',
  cancelled:
    'Your order was cancelled. Nothing will be charged; any hold on your card is released.',
  rejected:
    'We could not accept your order. Nothing will be charged; any hold on your card is released.',
};
