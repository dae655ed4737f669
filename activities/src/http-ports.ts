/**
 * The downstream ports over HTTP, one adapter per context, each at its own base URL (from the
 * worker's configuration: FRAUD_URL, WAREHOUSE_URL, PAYMENTS_URL, FULFILLMENT_URL, NOTIFIER_URL).
 */
import type { Downstream } from '@order-platform/domain';
import type { DownstreamPorts } from './downstream-activities';
import { FraudHttpAdapter } from './fraud/fraud.http-adapter';
import { FulfillmentHttpAdapter } from './fulfillment/fulfillment.http-adapter';
import { InventoryHttpAdapter } from './inventory/inventory.http-adapter';
import { NotificationsHttpAdapter } from './notifications/notifications.http-adapter';
import { PaymentHttpAdapter } from './payment/payment.http-adapter';

/** Each downstream context's base URL. */
export type DownstreamUrls = Record<Downstream, string>;

/**
 * The HTTP ports; the shipping addresses and the record of notifications sent are the platform's
 * own (OrderPersonalDataStore, CustomerNotificationStore).
 */
export function createHttpPorts(
  urls: DownstreamUrls,
): Omit<DownstreamPorts, 'shippingAddresses' | 'sentNotifications'> {
  return {
    fraud: new FraudHttpAdapter(urls.fraud),
    inventory: new InventoryHttpAdapter(urls.inventory),
    payment: new PaymentHttpAdapter(urls.payment),
    fulfillment: new FulfillmentHttpAdapter(urls.fulfillment),
    notifications: new NotificationsHttpAdapter(urls.notifications),
  };
}
