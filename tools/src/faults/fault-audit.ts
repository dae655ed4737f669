/**
 * What every fault is judged by, read where the outside world sees it: the workflow in Temporal
 * and its status query, the read model customers read, the payment ledger and the warehouse of
 * the simulators, the notifications customers got, the monolith's own tables, the mirrored facts
 * on Kafka and the comparator's verdicts. The order invariants (charged once, stock conserved,
 * told once, never confirmed without holds) are the shared rules of `../verify`; what is
 * particular to faults (orders lost, left unsettled, misread, misjudged by the comparator) is
 * judged here. Each finding names the order it is for, so a red fault says which promise broke
 * and for whom.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  CUSTOMER_STATUS_OF_STAGE,
  LEGACY_FACT_TYPES,
  type NotificationKind,
  type OrderStatusView,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import { simulatorCall } from '../testing/apps-under-test';
import { readTopic } from '../testing/topic-reader';
import {
  type AuthorizationFact,
  authorizationsInLedger,
  authorizationsLapsedUnused,
  chargedOnce,
  delayExplained,
  type LedgerFact,
  moneyHeldOnce,
  neverCapturedWhenUndone,
  neverShippedWithoutCapture,
  nothingChargedForFollowedOrder,
  nothingReservedForFollowedOrder,
  promiseBacked,
  type ReservationFact,
  refundsWithinCapture,
  reservationsLapsedUnused,
  standingOfStage,
  type StatusObservation,
  stockConserved,
  stockHeldAsPromised,
  toldOnceAndConsistently,
  toldWhatHappened,
  unitsHeld,
} from '../verify';
import { type Findings, file } from './findings';
import {
  type FaultWorld,
  isSettled,
  readModelStages,
  SHADOWED_STAGES,
  verdictsOf,
} from './settling';
import type { StreamedOrder } from './order-streams';

/** Monolith statuses in which its stock decrement stands. */
const MONOLITH_HOLDS_STOCK = ['ACCEPTED', 'SHIPPED', 'DELIVERED'];

interface StockLevel {
  onHand: number;
  reserved: number;
  allocated: number;
}

/** Audits platform orders (one sku, `onHand` units in the simulated warehouse). */
export async function auditPlatformOrders(
  world: FaultWorld,
  orders: StreamedOrder[],
  stock: { sku: string; onHand: number } | undefined,
  findings: Findings,
): Promise<void> {
  const stages = await readModelStages(
    world,
    orders.map((o) => o.orderId),
  );
  let heldUnits = 0;
  for (const order of orders) {
    const view = await workflowView(world, order, stages.get(order.orderId), findings);
    if (view === undefined) continue;
    const { orderId } = order;
    const standing = standingOfStage(view.stage);
    const ledger = await ledgerOf(world, orderId);
    const authorizations = await authorizationsNow(world, ledger);
    const reservations = await reservationsOf(world, orderId);
    const told = await notificationsOf(world, orderId);
    heldUnits += unitsHeld(reservations);
    // As the customer reads it now, against what the outside world holds now.
    const observation: StatusObservation = {
      orderId,
      status: CUSTOMER_STATUS_OF_STAGE[view.stage],
      fraudApproved: view.commitments.fraud?.decision === 'approved',
      reservations,
      authorizations,
      delayed: view.customer.delayed,
      delayReason: view.customer.delayReason,
    };
    file(findings, [
      ...chargedOnce({ orderId, standing, ledger, authorizations }),
      ...neverCapturedWhenUndone(orderId, standing, ledger),
      ...neverShippedWithoutCapture(orderId, standing, ledger),
      ...refundsWithinCapture(orderId, ledger),
      ...stockHeldAsPromised({ orderId, standing, reservations }),
      ...reservationsLapsedUnused(orderId, reservations, standing),
      ...authorizationsLapsedUnused(orderId, authorizations, standing),
      ...toldOnceAndConsistently(orderId, told),
      ...toldWhatHappened({
        orderId,
        told,
        standing,
        wentToManualReview: view.history.some((t) => t.stage === 'ManualReviewRequired'),
      }),
      ...promiseBacked(observation),
      ...delayExplained(observation),
    ]);
  }
  if (stock) {
    const level = await simulatorCall<StockLevel>(
      world.simulatorsUrl,
      'GET',
      `/warehouse/stock/${stock.sku}`,
    );
    file(
      findings,
      stockConserved({
        label: stock.sku,
        expectedOnHand: stock.onHand,
        onHand: level.onHand,
        committed: { counted: level.reserved + level.allocated, heldByOrders: heldUnits },
      }),
    );
  }
}

/**
 * Audits monolith orders: every order the monolith holds for `sku` (acknowledged or not: a
 * reply lost to the fault does not make an order disappear) mirrored in full, followed by a
 * workflow, judged by the comparator on each shadowed stage, and never charged by the platform
 * while the monolith holds its money. The monolith's own stock is conserved.
 */
export async function auditMonolithOrders(
  world: FaultWorld,
  acknowledged: StreamedOrder[],
  stock: { sku: string; onHand: number },
  findings: Findings,
): Promise<StreamedOrder[]> {
  const { rows } = await world.legacyDb.query<{
    order_id: string;
    status: string;
    quantity: number;
    live_payments: number;
  }>(
    `SELECT o.order_id, o.status, sum(l.quantity)::int AS quantity,
            (SELECT count(*)::int FROM monolith.payments p
              WHERE p.order_id = o.order_id AND p.status <> 'VOIDED') AS live_payments
       FROM monolith.orders o JOIN monolith.order_lines l USING (order_id)
      WHERE l.sku = $1 GROUP BY o.order_id, o.status`,
    [stock.sku],
  );
  const held = new Map(rows.map((row) => [row.order_id, row]));
  for (const order of acknowledged) {
    if (!held.has(order.orderId)) findings.lost.push(`${order.orderId}: not in the monolith`);
  }
  const orders: StreamedOrder[] = rows.map(
    (row) =>
      acknowledged.find((o) => o.orderId === row.order_id) ?? {
        orderId: row.order_id,
        customerId: '?',
        sku: stock.sku,
        quantity: row.quantity,
        unitPriceMinor: 0,
        origin: 'legacy',
      },
  );
  for (const row of rows) file(findings, moneyHeldOnce(row.order_id, row.live_payments));
  const decremented = rows
    .filter((row) => MONOLITH_HOLDS_STOCK.includes(row.status))
    .reduce((sum, row) => sum + row.quantity, 0);
  const level = await world.legacyDb.query<{ on_hand: number }>(
    'SELECT on_hand FROM monolith.stock WHERE sku = $1',
    [stock.sku],
  );
  file(
    findings,
    stockConserved({
      label: `monolith ${stock.sku}`,
      expectedOnHand: stock.onHand - decremented,
      onHand: level.rows[0]?.on_hand,
    }),
  );
  await auditFollowedOrders(world, orders, findings);
  await auditMirror(world, orders, findings);
  return orders;
}

/**
 * Orders the platform follows (monolith orders, or facts injected for them): a workflow at
 * rest, the read model agreeing, a single matching verdict per shadowed stage, no platform
 * money or stock held (shadow has no side effects) and no customer told anything twice.
 */
export async function auditFollowedOrders(
  world: FaultWorld,
  orders: StreamedOrder[],
  findings: Findings,
): Promise<void> {
  const ids = orders.map((o) => o.orderId);
  const stages = await readModelStages(world, ids);
  const verdicts = await verdictsOf(world, ids);
  for (const order of orders) {
    const view = await workflowView(world, order, stages.get(order.orderId), findings);
    if (view === undefined) continue;
    for (const shadowed of SHADOWED_STAGES) {
      const given = (verdicts.get(order.orderId) ?? []).filter((v) => v.stage === shadowed);
      if (given.length !== 1 || given[0]!.outcome !== 'match') {
        findings.comparator.push(
          `${order.orderId} ${shadowed}: ${JSON.stringify(given.map((v) => v.outcome))}`,
        );
      }
    }
    file(findings, [
      ...nothingChargedForFollowedOrder(order.orderId, await ledgerOf(world, order.orderId)),
      ...nothingReservedForFollowedOrder(order.orderId, await reservationsOf(world, order.orderId)),
      ...toldOnceAndConsistently(order.orderId, await notificationsOf(world, order.orderId)),
    ]);
  }
}

/** Every monolith order's accepted facts reached `legacy.order-events.v1`, with their stable ids. */
async function auditMirror(
  world: FaultWorld,
  orders: StreamedOrder[],
  findings: Findings,
): Promise<void> {
  if (orders.length === 0) return;
  const ids = new Set(orders.map((o) => o.orderId));
  const seen = new Map<string, Set<string>>();
  const complete = () =>
    [...ids].every((id) => LEGACY_FACT_TYPES.slice(0, 5).every((t) => seen.get(id)?.has(t)));
  try {
    await readTopic({
      brokers: world.brokers,
      topic: TOPICS.legacyOrderEvents,
      accept: (record) => {
        if (!ids.has(record.key ?? '')) return false;
        const event = JSON.parse(record.value) as { eventId: string; eventType: string };
        if (event.eventId !== `legacy-monolith:${record.key}:${event.eventType}`) return false;
        seen.set(record.key!, (seen.get(record.key!) ?? new Set()).add(event.eventType));
        return true;
      },
      until: complete,
      // The recovery window has passed: what is not on the topic by now is not coming.
      timeoutMs: 20_000,
    });
  } catch {
    for (const id of ids) {
      const missing = LEGACY_FACT_TYPES.slice(0, 5).filter((t) => !seen.get(id)?.has(t));
      if (missing.length > 0) findings.lost.push(`${id}: facts never mirrored: ${missing}`);
    }
  }
}

/**
 * The order's workflow and its view where it rests, cross-checked with the read model;
 * undefined (and a finding) when there is nothing to audit further.
 */
async function workflowView(
  world: FaultWorld,
  order: StreamedOrder,
  readModelStage: string | undefined,
  findings: Findings,
): Promise<OrderStatusView | undefined> {
  const handle = world.temporal.workflow.getHandle(workflowIdForOrder(order.orderId));
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      findings.lost.push(`${order.orderId}: no workflow`);
      return undefined;
    }
    throw error;
  }
  if (!['RUNNING', 'COMPLETED'].includes(status)) {
    findings.lost.push(`${order.orderId}: workflow ${status}`);
    return undefined;
  }
  const view = await handle.query<OrderStatusView>('orderStatus');
  if (!isSettled(view.stage)) {
    findings.unsettled.push(`${order.orderId}: ${view.stage}`);
    return undefined;
  }
  if (readModelStage !== view.stage) {
    findings.readModel.push(
      `${order.orderId}: read model ${readModelStage ?? 'missing'}, workflow ${view.stage}`,
    );
  }
  return view;
}

async function notificationsOf(world: FaultWorld, orderId: string): Promise<NotificationKind[]> {
  const sent = await simulatorCall<{ kind: NotificationKind }[]>(
    world.simulatorsUrl,
    'GET',
    `/notifications?orderId=${orderId}`,
  );
  return sent.map((n) => n.kind);
}

const ledgerOf = (world: FaultWorld, orderId: string) =>
  simulatorCall<LedgerFact[]>(world.simulatorsUrl, 'GET', `/payments/ledger?orderId=${orderId}`);

/** Each authorization on the ledger as the gateway reports it now (an expired one holds nothing). */
async function authorizationsNow(
  world: FaultWorld,
  ledger: LedgerFact[],
): Promise<AuthorizationFact[]> {
  const now: AuthorizationFact[] = [];
  for (const { authorizationId } of authorizationsInLedger(ledger)) {
    now.push(
      await simulatorCall<AuthorizationFact>(
        world.simulatorsUrl,
        'GET',
        `/payments/authorizations/${authorizationId}`,
      ),
    );
  }
  return now;
}

const reservationsOf = (world: FaultWorld, orderId: string) =>
  simulatorCall<ReservationFact[]>(
    world.simulatorsUrl,
    'GET',
    `/warehouse/reservations?orderId=${orderId}`,
  );
