/**
 * What the facade reads of an order placement in the monolith's shape
 * (`POST /orders {orderId?, customerId, items: [{sku, quantity}], currency?, expedited?}`), and
 * how it becomes the platform's (`POST /v1/orders` with a customer's bearer token, an
 * Idempotency-Key and `{items, shipping, currency, shippingAddress}`) and back. Pure: no I/O.
 *
 * The facade reads only what it must to route (a JSON object with a customer and items); each
 * side judges the rest of the order by its own rules and answers with its own problems.
 */
import { createHash, randomUUID } from 'node:crypto';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

export const problem = (
  status: number,
  slug: string,
  title: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): ProblemDocument => ({
  ...extensions,
  type: `urn:order-platform:problem:${slug}`,
  title,
  status,
  detail,
});

const invalid = (detail: string, field?: string): ProblemDocument =>
  problem(400, 'invalid-request', 'The request is not valid', detail, field ? { field } : {});

export type Placement =
  | { ok: true; customerId: string; order: Record<string, unknown> }
  | { ok: false; problem: ProblemDocument };

/** The order placement as the monolith takes it, or the 400 that says why it is not one. */
export function readPlacement(body: Buffer): Placement {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, problem: invalid('The body is not JSON') };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: invalid('The body must be a JSON object') };
  }
  const order = parsed as Record<string, unknown>;
  const { customerId, items } = order;
  if (typeof customerId !== 'string' || customerId.trim() === '' || customerId.length > 200) {
    return {
      ok: false,
      problem: invalid(
        'customerId must be a non-empty string of at most 200 characters',
        'customerId',
      ),
    };
  }
  if (!Array.isArray(items) || items.length === 0) {
    return { ok: false, problem: invalid('items must be a non-empty array', 'items') };
  }
  return { ok: true, customerId, order };
}

/** The platform's token subject (apps/gateway/src/auth/tokens.ts). */
const SUBJECT = /^[A-Za-z0-9_.@:-]{1,128}$/;
/** The platform's Idempotency-Key. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface PlatformOrder {
  customerId: string;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

export type Translation =
  { ok: true; order: PlatformOrder } | { ok: false; keepOnMonolith: string };

/**
 * The placement in the platform's shape, or why the platform cannot take it as it is (the
 * monolith then takes it, as it always did). Idempotency: the caller's Idempotency-Key if it
 * sends one, else its `orderId` (the monolith's own duplicate guard), else none: a fresh key,
 * as the monolith gives an order without `orderId` a fresh id.
 */
export function toPlatformOrder(
  placement: { customerId: string; order: Record<string, unknown> },
  idempotencyKeyHeader: string | undefined,
): Translation {
  const { customerId, order } = placement;
  if (!SUBJECT.test(customerId)) {
    return { ok: false, keepOnMonolith: 'customer-id-not-a-platform-subject' };
  }
  // The sample monolith keeps no addresses; callers that send one (it ignores the field) can be
  // served by the platform, which ships and so needs one.
  if (order.shippingAddress === undefined || order.shippingAddress === null) {
    return { ok: false, keepOnMonolith: 'no-shipping-address' };
  }
  const body: Record<string, unknown> = {
    items: order.items,
    shippingAddress: order.shippingAddress,
    shipping: order.expedited === true ? 'expedited' : 'standard',
  };
  if (order.currency !== undefined) body.currency = order.currency;
  return {
    ok: true,
    order: { customerId, idempotencyKey: idempotencyKeyOf(order, idempotencyKeyHeader), body },
  };
}

function idempotencyKeyOf(order: Record<string, unknown>, header: string | undefined): string {
  if (header !== undefined && IDEMPOTENCY_KEY.test(header)) return header;
  if (typeof order.orderId === 'string' && order.orderId !== '') {
    const key = `monolith-order:${order.orderId}`;
    return IDEMPOTENCY_KEY.test(key)
      ? key
      : `monolith-order:${createHash('sha256').update(order.orderId).digest('hex')}`;
  }
  return `facade:${randomUUID()}`;
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * The platform's answer in the monolith's terms: an accepted order is the monolith's 201 with
 * `orderId` and `status` (RECEIVED: decided later, read through the gateway), plus where it was
 * placed and its link; a problem is passed on as the platform wrote it.
 */
export function monolithShapedAnswer(platform: Answer): Answer {
  if (platform.status !== 202) return platform;
  const accepted = platform.body as { orderId: string; status: string; links: { self: string } };
  return {
    status: 201,
    body: {
      orderId: accepted.orderId,
      status: accepted.status,
      placedOn: 'platform',
      links: accepted.links,
    },
  };
}
