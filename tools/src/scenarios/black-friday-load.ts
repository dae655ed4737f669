/**
 * The Black Friday scenario's offered load: customers (most standard, a fifth known, a fifth
 * new), each submitting orders through the gateway and retrying a 429 as its Retry-After says,
 * and what the scenario keeps about each admitted order as its customer reads it.
 */
import { randomUUID } from 'node:crypto';
import { type CustomerSegment, type CustomerStatus } from '@order-platform/domain';
import { mintToken } from '@order-platform/runtime';
import type { Violation } from '../verify';
import { type ScenarioClient, type ScenarioTarget, sleep } from './black-friday-client';

export interface Customer {
  id: string;
  segment: CustomerSegment;
  token: string;
}

export interface OrderRecord {
  orderId: string;
  customer: Customer;
  /** The status its customer read last. */
  status?: CustomerStatus;
  everDelayed: boolean;
  /** An operator decided it (it went to manual review). */
  manualReview: boolean;
  /** What the customer's reads broke: a promise without holds, a delay without a reason. */
  readViolations: Violation[];
}

export interface Counts {
  submitted: number;
  admitted: number;
  shed: number;
  shedWithoutRetryAfter: number;
  gaveUp: number;
}

export async function makeCustomers(target: ScenarioTarget, count: number): Promise<Customer[]> {
  const run = randomUUID().slice(0, 8);
  // Most shoppers are standard; a fifth are known (vip), a fifth new (high risk).
  const segmentOf = (i: number): CustomerSegment =>
    i % 5 === 1 ? 'vip' : i % 5 === 3 ? 'new-customer' : 'standard';
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `bf-${run}-${i}`;
      const segment = segmentOf(i);
      const token = await mintToken(
        { subject: id, roles: ['customer'], segment },
        target.tokenKeys,
      );
      return { id, segment, token };
    }),
  );
}

/** One customer's order, retried after each 429 as its Retry-After says (a few times). */
export async function submit(
  http: ScenarioClient,
  customer: Customer,
  skus: string[],
  i: number,
  counts: Counts,
): Promise<OrderRecord | undefined> {
  // Every tenth order is the expensive sku (manual review territory), every seventh pays for
  // expedited shipping.
  const sku = i % 10 === 0 ? skus[0]! : skus[1 + (i % (skus.length - 1))]!;
  const body = {
    items: [{ sku, quantity: 1 }],
    shipping: i % 7 === 0 ? 'expedited' : 'standard',
    shippingAddress: {
      name: customer.id,
      line1: `${i} Market Street`,
      city: 'Utrecht',
      postalCode: '3511 AB',
      country: 'NL',
    },
  };
  const key = randomUUID();
  counts.submitted += 1;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const response = await http.gateway('POST', '/v1/orders', customer.token, body, {
      'idempotency-key': key,
    });
    if (response.status === 202) {
      counts.admitted += 1;
      const orderId = (response.body as { orderId: string }).orderId;
      return { orderId, customer, everDelayed: false, manualReview: false, readViolations: [] };
    }
    if (response.status !== 429)
      throw new Error(`submitting an order: ${response.status} ${JSON.stringify(response.body)}`);
    counts.shed += 1;
    const retryAfter = Number(response.headers.get('retry-after'));
    if (!(retryAfter > 0)) counts.shedWithoutRetryAfter += 1;
    await sleep(Math.min(retryAfter > 0 ? retryAfter : 1, 15) * 1000);
  }
  counts.gaveUp += 1;
  return undefined;
}

/** Statuses an order rests in: the scenario waits for every order to reach one. */
export const SETTLED_STATUSES: readonly CustomerStatus[] = [
  'READY_TO_SHIP',
  'CANCELLED',
  'REJECTED',
  'SHIPPED',
  'DELIVERED',
];

export const isOpen = (order: OrderRecord): boolean =>
  order.status === undefined || !SETTLED_STATUSES.includes(order.status);
