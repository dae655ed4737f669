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
  // One each per return (the run keeps them per return): what was promised about a return.
  'return-authorized',
  'refunded',
  'return-lapsed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const FINAL: readonly NotificationKind[] = ['delivered', 'cancelled', 'rejected'];

const RETURN_KINDS: readonly NotificationKind[] = [
  'return-authorized',
  'refunded',
  'return-lapsed',
];

/**
 * Whether `next` may follow the notifications already sent, in order. For a return's kinds,
 * `sent` is the order's notifications and that return's own.
 */
export function mayNotify(sent: readonly NotificationKind[], next: NotificationKind): boolean {
  if (sent.includes(next)) return false; // at most once per change
  if (RETURN_KINDS.includes(next)) return mayNotifyOfReturn(sent, next);
  if (sent.some((kind) => FINAL.includes(kind))) return false; // nothing after the last word
  if (next === 'delayed' && sent.includes('confirmed')) return false; // a confirmed order is not "still checking"
  if (next === 'delivered' && !sent.includes('shipped')) return false;
  return true;
}

/** A return is told of only once the order shipped; it ends refunded or lapsed, not both. */
function mayNotifyOfReturn(sent: readonly NotificationKind[], next: NotificationKind): boolean {
  if (!sent.includes('shipped') || sent.includes('cancelled') || sent.includes('rejected'))
    return false;
  if (next === 'return-authorized') return true;
  return (
    sent.includes('return-authorized') &&
    !sent.includes('refunded') &&
    !sent.includes('return-lapsed')
  );
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
  'return-authorized':
    'Your return is authorized. Send the parcel back within the return window to be refunded.',
  refunded: 'Your return arrived and was refunded to your card.',
  'return-lapsed':
    'Your return lapsed: the parcel did not reach us within the return window. Nothing was refunded.',
};
