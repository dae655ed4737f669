/** Orders placed through a suite's gateway as a customer places them: one item of `sku`. */
import { randomUUID } from 'node:crypto';
import { gatewayCall } from '@order-platform/tools';
import { tokenFor } from './test-tokens';

/** Places one of `sku` for a new customer (named `<prefix>-<random>`); answers its ids. */
export async function placeOrder(
  gateway: string,
  sku: string,
  customerPrefix = 'c',
): Promise<{ orderId: string; customer: string }> {
  const customer = `${customerPrefix}-${randomUUID().slice(0, 8)}`;
  const reply = await gatewayCall(gateway, 'POST', '/v1/orders', {
    token: await tokenFor('customer', customer),
    headers: { 'idempotency-key': randomUUID() },
    body: {
      items: [{ sku, quantity: 1 }],
      currency: 'EUR',
      shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
    },
  });
  if (reply.status !== 202) {
    throw new Error(`placing an order answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return { orderId: reply.body.orderId as string, customer };
}
