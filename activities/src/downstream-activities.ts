/**
 * The downstream contexts with a bulkhead of their own (domain's `DOWNSTREAMS`): the port each is
 * reached through, and the activities each one's task queue runs, by context.
 */
import type { Downstream } from '@order-platform/domain';
import { createFraudActivities } from './fraud/fraud.activities';
import type { FraudPort } from './fraud/fraud.port';
import { createFulfillmentActivities } from './fulfillment/fulfillment.activities';
import type { FulfillmentPort, ShippingAddressSource } from './fulfillment/fulfillment.port';
import { createInventoryActivities } from './inventory/inventory.activities';
import type { InventoryPort } from './inventory/inventory.port';
import { createNotificationsActivities } from './notifications/notifications.activities';
import type { NotificationsPort, SentNotificationLog } from './notifications/notifications.port';
import { createPaymentActivities } from './payment/payment.activities';
import type { PaymentPort } from './payment/payment.port';

export interface DownstreamPorts {
  fraud: FraudPort;
  inventory: InventoryPort;
  payment: PaymentPort;
  fulfillment: FulfillmentPort;
  /** The platform's own record of addresses (not HTTP): the fulfilment activities read it. */
  shippingAddresses: ShippingAddressSource;
  notifications: NotificationsPort;
  /** The platform's own record of what it told customers (not HTTP): the notifier's activity writes it. */
  sentNotifications: SentNotificationLog;
}

export function createDownstreamActivities(ports: DownstreamPorts) {
  return {
    fraud: createFraudActivities(ports),
    inventory: createInventoryActivities(ports),
    payment: createPaymentActivities(ports),
    fulfillment: createFulfillmentActivities(ports),
    notifications: createNotificationsActivities(ports),
  } satisfies Record<Downstream, object>;
}

export type DownstreamActivities = ReturnType<typeof createDownstreamActivities>;
