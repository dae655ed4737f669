/**
 * The downstream ports over HTTP, one adapter per service, each at its own base URL (from the
 * worker's configuration: FRAUD_URL, WAREHOUSE_URL, PAYMENTS_URL, FULFILLMENT_URL, NOTIFIER_URL).
 */
import { FraudHttpAdapter } from './fraud/fraud.http-adapter';
import type { FraudPort } from './fraud/fraud.port';
import { FulfillmentHttpAdapter } from './fulfillment/fulfillment.http-adapter';
import type { FulfillmentPort } from './fulfillment/fulfillment.port';
import { InventoryHttpAdapter } from './inventory/inventory.http-adapter';
import type { InventoryPort } from './inventory/inventory.port';
import { NotificationsHttpAdapter } from './notifications/notifications.http-adapter';
import type { NotificationPort } from './notifications/notifications.port';
import { PaymentHttpAdapter } from './payment/payment.http-adapter';
import type { PaymentPort } from './payment/payment.port';

export interface DownstreamUrls {
  fraud: string;
  warehouse: string;
  payments: string;
  fulfillment: string;
  notifier: string;
}

export interface HttpPorts {
  fraud: FraudPort;
  inventory: InventoryPort;
  payment: PaymentPort;
  fulfillment: FulfillmentPort;
  notifications: NotificationPort;
}

export function createHttpPorts(urls: DownstreamUrls): HttpPorts {
  return {
    fraud: new FraudHttpAdapter(urls.fraud),
    inventory: new InventoryHttpAdapter(urls.warehouse),
    payment: new PaymentHttpAdapter(urls.payments),
    fulfillment: new FulfillmentHttpAdapter(urls.fulfillment),
    notifications: new NotificationsHttpAdapter(urls.notifier),
  };
}
