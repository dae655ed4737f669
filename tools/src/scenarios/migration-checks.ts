/**
 * The migration scenario's checks, once every order rested: each order's facts gathered from
 * the outside world (the monolith's own answer, the payment ledger, the warehouse's
 * reservations and levels, the notifier's records, the customer's read through the gateway)
 * and judged by the shared rules of `../verify`, per phase of the migration.
 */
import type { NotificationKind } from '@order-platform/domain';
import {
  authorizationsInLedger,
  chargedOnce,
  describeViolation,
  moneyHeldOnce,
  neverCapturedWhenUndone,
  neverShippedWithoutCapture,
  nothingReservedForFollowedOrder,
  refundsWithinCapture,
  type ReservationFact,
  type Standing,
  stockConserved,
  stockHeldAsPromised,
  toldOnceAndConsistently,
  toldWhatHappened,
  unitsHeld,
  type Violation,
} from '../verify';
import type { Check } from './black-friday-report';
import { paymentsOf, reservationsOf } from './black-friday-watch';
import type { MigrationClient } from './migration-client';
import type { PlacedOrder } from './migration-world';

export interface OrderFacts {
  order: PlacedOrder;
  standing: Standing;
  reservations: ReservationFact[];
  ledger: Awaited<ReturnType<typeof paymentsOf>>['ledger'];
  authorizations: Awaited<ReturnType<typeof paymentsOf>>['authorizations'];
  /** What the platform's notifier sent. */
  platformTold: NotificationKind[];
  shipments: { state: string }[];
}

/** A finding, with the phase of the order it is about. */
export interface Finding {
  phase: string;
  text: string;
}

export interface PhaseChecks {
  check: Check;
  findings: Finding[];
}

const STANDING_OF_FINAL: Record<string, Standing> = {
  DELIVERED: 'goods-left',
  SHIPPED: 'goods-left',
  REJECTED: 'undone',
  CANCELLED: 'undone',
};

/** The order's standing as its owner says: the monolith for its orders, the gateway for the platform's. */
const standingOf = (order: PlacedOrder): Standing =>
  STANDING_OF_FINAL[(order.placedOn === 'monolith' ? order.monolith?.status : order.read) ?? ''] ??
  'in-flight';

export async function gatherFacts(
  client: MigrationClient,
  orders: PlacedOrder[],
): Promise<OrderFacts[]> {
  const facts: OrderFacts[] = [];
  for (const order of orders) {
    const { orderId } = order;
    facts.push({
      order,
      standing: standingOf(order),
      reservations: await reservationsOf(client, orderId),
      ...(await paymentsOf(client, orderId)),
      platformTold: (
        (await client.sim('GET', `/notifications?orderId=${orderId}`)) as {
          kind: NotificationKind;
        }[]
      ).map((n) => n.kind),
      shipments: (await client.sim('GET', `/fulfillment/shipments?orderId=${orderId}`)) as {
        state: string;
      }[],
    });
  }
  return facts;
}

const judged = (name: string, findings: Finding[], passedDetail: string): PhaseChecks => ({
  check: {
    name,
    passed: findings.length === 0,
    detail:
      findings.length === 0
        ? passedDetail
        : `${findings.length} findings: ${findings
            .slice(0, 5)
            .map((f) => `[${f.phase}] ${f.text}`)
            .join('; ')}`,
  },
  findings,
});

const file = (findings: Finding[], order: PlacedOrder, violations: Violation[]) =>
  findings.push(...violations.map((v) => ({ phase: order.phase, text: describeViolation(v) })));

/** Every placed order (the facade answered 201) rests in a final state on its owner's side. */
export function nothingLostCheck(orders: PlacedOrder[], refusedPlacements: Finding[]): PhaseChecks {
  // A well-formed order the door did not take is a finding too: nothing here should refuse one.
  const findings: Finding[] = [...refusedPlacements];
  findings.push(
    ...orders
      .filter((order) => !order.final)
      .map((order) => ({
        phase: order.phase,
        text: `${order.orderId} (${order.placedOn}) still ${order.monolith?.status ?? '-'} in the monolith, ${order.read ?? 'unread'} through the gateway`,
      })),
  );
  const byStatus: Record<string, number> = {};
  for (const order of orders) byStatus[order.read ?? '?'] = (byStatus[order.read ?? '?'] ?? 0) + 1;
  return judged(
    'nothing lost: the door took every order, and each reached a final state on the side that owns it',
    findings,
    `${orders.length} orders: ${Object.entries(byStatus)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ')}`,
  );
}

/**
 * Charged once, whoever keeps the books: the platform's ledger judged by the shared rules, the
 * monolith's own payment by its status, and never a live payment on both sides.
 */
export function chargedOnceCheck(facts: OrderFacts[]): PhaseChecks {
  const findings: Finding[] = [];
  let monolithPayments = 0;
  let platformPayments = 0;
  for (const { order, standing, ledger, authorizations } of facts) {
    const { orderId } = order;
    const monolithHeld =
      order.monolith?.payment?.heldBy === 'monolith' ? order.monolith.payment : null;
    const platformHolds = authorizationsInLedger(ledger).length > 0;
    if (monolithHeld) monolithPayments += 1;
    if (platformHolds) platformPayments += 1;
    file(findings, order, [
      ...chargedOnce({ orderId, standing, ledger, authorizations }),
      ...neverCapturedWhenUndone(orderId, standing, ledger),
      ...refundsWithinCapture(orderId, ledger),
      ...(platformHolds ? neverShippedWithoutCapture(orderId, standing, ledger) : []),
      ...moneyHeldOnce(
        orderId,
        (monolithHeld && monolithHeld.status !== 'VOIDED' ? 1 : 0) +
          authorizations.filter((a) => a.state === 'authorized' || a.state === 'captured').length,
      ),
    ]);
    if (monolithHeld && standing === 'goods-left' && monolithHeld.status !== 'CAPTURED')
      findings.push({
        phase: order.phase,
        text: `${orderId}: delivered but the monolith's payment is ${monolithHeld.status}`,
      });
    if (monolithHeld && standing === 'undone' && monolithHeld.status === 'CAPTURED')
      findings.push({
        phase: order.phase,
        text: `${orderId}: captured by the monolith though undone`,
      });
  }
  return judged(
    'charged once: one payment per order on one side, captured when the goods left, none for an undone order',
    findings,
    `${monolithPayments} payments kept by the monolith, ${platformPayments} by the platform's gateway; none on both`,
  );
}

/**
 * Stock conserved in whichever system owns it: the monolith's count less what it reserved for
 * its orders, the warehouse's reservations matching what the platform's orders hold, and no
 * platform reservation for an order whose stock the monolith took.
 */
export async function stockCheck(
  client: MigrationClient,
  facts: OrderFacts[],
  initial: { sku: string; monolith: number; warehouse: number }[],
): Promise<PhaseChecks> {
  const findings: Finding[] = [];
  const levels: string[] = [];
  for (const { sku, monolith, warehouse } of initial) {
    const ofSku = facts.filter((f) => f.order.sku === sku);
    const monolithTook = ofSku
      .filter(
        (f) =>
          f.order.monolith &&
          !f.order.monolith.handedOver.includes('inventory') &&
          ['ACCEPTED', 'SHIPPED', 'DELIVERED'].includes(f.order.monolith.status),
      )
      .reduce((sum, f) => sum + f.order.quantity, 0);
    const monolithLevel = (await client.monolithExpect('GET', `/stock/${sku}`)) as {
      onHand: number;
    };
    const warehouseLevel = (await client.sim('GET', `/warehouse/stock/${sku}`)) as {
      onHand: number;
      reserved: number;
      allocated: number;
    };
    const heldByOrders = ofSku.reduce((sum, f) => sum + unitsHeld(f.reservations), 0);
    for (const violation of [
      ...stockConserved({
        label: `monolith ${sku}`,
        expectedOnHand: monolith - monolithTook,
        onHand: monolithLevel.onHand,
      }),
      ...stockConserved({
        label: `warehouse ${sku}`,
        expectedOnHand: warehouse,
        onHand: warehouseLevel.onHand,
        committed: {
          counted: warehouseLevel.reserved + warehouseLevel.allocated,
          heldByOrders,
        },
      }),
    ])
      findings.push({ phase: 'stock levels', text: describeViolation(violation) });
    levels.push(
      `${sku}: monolith ${monolithLevel.onHand} (${monolithTook} taken), warehouse committed ${heldByOrders}`,
    );
  }
  for (const { order, standing, reservations } of facts) {
    const platformTookStock =
      order.placedOn === 'platform' || order.monolith?.handedOver.includes('inventory') === true;
    file(
      findings,
      order,
      platformTookStock
        ? stockHeldAsPromised({ orderId: order.orderId, standing, reservations })
        : nothingReservedForFollowedOrder(order.orderId, reservations),
    );
  }
  return judged('stock conserved in whichever system owns it', findings, levels.join('; '));
}

/**
 * Told once: the customer heard each change once, from one system. What the monolith sent
 * itself and what the platform's notifier sent are one story: never both for a kind, never
 * neither for a committed order, no contradiction; what the monolith recorded as sent by the
 * platform was sent by the platform.
 */
export function toldOnceCheck(facts: OrderFacts[]): PhaseChecks {
  const findings: Finding[] = [];
  let byMonolith = 0;
  let byPlatform = 0;
  for (const { order, standing, platformTold } of facts) {
    const notifications = order.monolith?.notifications ?? [];
    const monolithTold = notifications
      .filter((n) => n.sentBy === 'monolith')
      .map((n) => n.kind as NotificationKind);
    byMonolith += monolithTold.length;
    byPlatform += platformTold.length;
    const told = [...monolithTold, ...platformTold];
    file(findings, order, [
      ...toldOnceAndConsistently(order.orderId, told),
      ...toldWhatHappened({ orderId: order.orderId, told, standing, wentToManualReview: false }),
    ]);
    for (const recorded of notifications.filter((n) => n.sentBy === 'platform'))
      if (!platformTold.includes(recorded.kind as NotificationKind))
        findings.push({
          phase: order.phase,
          text: `${order.orderId}: the monolith recorded '${recorded.kind}' as sent by the platform, which never sent it`,
        });
  }
  return judged(
    'told once: each change told by one system, never both, never neither',
    findings,
    `${byMonolith} notifications sent by the monolith, ${byPlatform} by the platform`,
  );
}

/** Every customer's read through the gateway is what the owning side did. */
export function truthfulReadsCheck(facts: OrderFacts[]): PhaseChecks {
  const findings: Finding[] = [];
  for (const { order, shipments, ledger } of facts) {
    // The platform's own orders: delivered is a delivered parcel; rejected or cancelled is
    // neither a parcel delivered nor money captured.
    const truth =
      order.placedOn === 'monolith'
        ? order.monolith?.status
        : shipments.some((s) => s.state === 'delivered')
          ? 'DELIVERED'
          : ledger.some((e) => e.kind === 'capture')
            ? 'captured, not delivered'
            : order.read === 'DELIVERED'
              ? 'not delivered'
              : order.read;
    if (order.read !== truth)
      findings.push({
        phase: order.phase,
        text: `${order.orderId}: the customer reads ${order.read ?? 'nothing'}, the truth is ${truth ?? 'unknown'}`,
      });
  }
  return judged(
    'every customer read truthful: the gateway says what the owning system did',
    findings,
    `${facts.length} customers read their order through the gateway`,
  );
}
