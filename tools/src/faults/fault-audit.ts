/**
 * What every fault is judged by, read where the outside world sees it: the workflow in Temporal
 * and its status query, the read model customers read, the payment ledger and the warehouse of
 * the simulators, the notifications customers got, the monolith's own tables, the mirrored facts
 * on Kafka and the comparator's verdicts. Each check names the orders it failed for, so a red
 * fault says which promise broke and for whom.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import {
  LEGACY_FACT_TYPES,
  mayNotify,
  type NotificationKind,
  type OrderStage,
  type OrderStatusView,
  TERMINAL_STAGES,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import { simulatorCall } from '../testing/apps-under-test';
import { readTopic } from '../testing/topic-reader';
import type { StreamedOrder } from './order-streams';

export interface FaultWorld {
  simulatorsUrl: string;
  temporal: Client;
  platformDb: Pool;
  legacyDb: Pool;
  brokers: string[];
}

/** Stages an order may rest in: waiting for a fact from outside by design, or finished. */
const WAITING_STAGES: readonly OrderStage[] = ['ReadyForFulfillment', 'ManualReviewRequired'];
const isSettled = (stage: string | undefined): boolean =>
  stage !== undefined && [...WAITING_STAGES, ...TERMINAL_STAGES].includes(stage as OrderStage);
/** Ended without the goods leaving: nothing may stay held or charged. */
const UNDONE_STAGES: readonly string[] = ['Cancelled', 'Rejected', 'Failed'];
/** Stages the comparator must give a verdict on for a shadowed monolith order. */
export const SHADOWED_STAGES = ['fraud', 'inventory', 'payment'] as const;
/** Monolith statuses in which its stock decrement stands. */
const MONOLITH_HOLDS_STOCK = ['ACCEPTED', 'SHIPPED', 'DELIVERED'];

export interface Findings {
  /** Acknowledged orders the platform does not know, or whose workflow died. */
  lost: string[];
  /** Neither finished nor in a stage that waits by design when the recovery window closed. */
  unsettled: string[];
  /** More than one live hold or capture, or money held for an order that ended undone. */
  doubleCharges: string[];
  /** Stock created or destroyed, or held for an order that does not hold it. */
  stock: string[];
  duplicateNotifications: string[];
  contradictoryNotifications: string[];
  /** A confirmed order whose customer was never told. */
  missingNotifications: string[];
  /** The read model customers read disagrees with the workflow. */
  readModel: string[];
  /** A shadowed stage of a monolith order without exactly one matching verdict. */
  comparator: string[];
  /** Platform processes that died by themselves during the fault (restarted for the next one). */
  crashed: string[];
}

export const emptyFindings = (): Findings => ({
  lost: [],
  unsettled: [],
  doubleCharges: [],
  stock: [],
  duplicateNotifications: [],
  contradictoryNotifications: [],
  missingNotifications: [],
  readModel: [],
  comparator: [],
  crashed: [],
});

async function readModelStages(world: FaultWorld, orderIds: string[]) {
  const { rows } = await world.platformDb.query<{ order_id: string; stage: string }>(
    'SELECT order_id, stage FROM order_status WHERE order_id = ANY($1)',
    [orderIds],
  );
  return new Map(rows.map((row) => [row.order_id, row.stage]));
}

async function verdictsOf(world: FaultWorld, orderIds: string[]) {
  const { rows } = await world.platformDb.query<{
    order_id: string;
    stage: string;
    outcome: string;
  }>(
    `SELECT order_id, stage, outcome FROM stage_comparison
      WHERE order_id = ANY($1) AND outcome <> 'pending'`,
    [orderIds],
  );
  const byOrder = new Map<string, { stage: string; outcome: string }[]>();
  for (const row of rows) byOrder.set(row.order_id, [...(byOrder.get(row.order_id) ?? []), row]);
  return byOrder;
}

/** Orders acknowledged but not yet resting (the ones a fault catches mid-way). */
export async function ordersInFlight(world: FaultWorld, orders: StreamedOrder[]): Promise<number> {
  const stages = await readModelStages(
    world,
    orders.map((o) => o.orderId),
  );
  return orders.filter((order) => !isSettled(stages.get(order.orderId))).length;
}

/**
 * Waits until every order rests (and every monolith order has its verdicts), or the window
 * closes; returns when that was, or undefined. Unsettled orders are the audit's to report.
 */
export async function waitUntilSettled(
  world: FaultWorld,
  orders: StreamedOrder[],
  windowMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + windowMs;
  const ids = orders.map((o) => o.orderId);
  const legacyIds = orders.filter((o) => o.origin === 'legacy').map((o) => o.orderId);
  while (Date.now() < deadline) {
    try {
      const stages = await readModelStages(world, ids);
      const verdicts = await verdictsOf(world, legacyIds);
      const rested = ids.every((id) => isSettled(stages.get(id)));
      const judged = legacyIds.every((id) =>
        SHADOWED_STAGES.every((stage) => verdicts.get(id)?.some((v) => v.stage === stage)),
      );
      if (rested && judged) return Date.now();
    } catch {
      // The database may be the fault: keep polling.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

interface LedgerEntry {
  kind: 'authorization' | 'void' | 'capture' | 'refund';
  reference: string;
}
interface Reservation {
  state: string;
  lines: { sku: string; quantity: number }[] | null;
}
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
    const stage = await workflowStage(world, order, stages.get(order.orderId), findings);
    if (stage === undefined) continue;
    const sim = <T>(path: string) => simulatorCall<T>(world.simulatorsUrl, 'GET', path);

    const ledger = await sim<LedgerEntry[]>(`/payments/ledger?orderId=${order.orderId}`);
    const voided = new Set(ledger.filter((e) => e.kind === 'void').map((e) => e.reference));
    const live = ledger.filter((e) => e.kind === 'authorization' && !voided.has(e.reference));
    const captures = ledger.filter((e) => e.kind === 'capture');
    if (live.length > 1 || captures.length > 1) {
      findings.doubleCharges.push(
        `${order.orderId}: ${live.length} live authorizations, ${captures.length} captures`,
      );
    } else if (UNDONE_STAGES.includes(stage) && live.length + captures.length > 0) {
      findings.doubleCharges.push(`${order.orderId}: money still held after ${stage}`);
    }

    const reservations = await sim<Reservation[]>(
      `/warehouse/reservations?orderId=${order.orderId}`,
    );
    const active = reservations.filter((r) => r.state === 'reserved' || r.state === 'allocated');
    // Manual review releases stock (a person may take longer than its TTL); it is taken again after.
    const expected = UNDONE_STAGES.includes(stage) || stage === 'ManualReviewRequired' ? 0 : 1;
    if (active.length !== expected) {
      findings.stock.push(`${order.orderId}: ${active.length} active reservations at ${stage}`);
    }
    heldUnits += active.flatMap((r) => r.lines ?? []).reduce((sum, line) => sum + line.quantity, 0);

    checkNotifications(
      order,
      await notificationsOf(world, order.orderId),
      stage === 'ReadyForFulfillment',
      findings,
    );
  }
  if (stock) {
    const level = await simulatorCall<StockLevel>(
      world.simulatorsUrl,
      'GET',
      `/warehouse/stock/${stock.sku}`,
    );
    if (level.onHand !== stock.onHand || level.reserved + level.allocated !== heldUnits) {
      findings.stock.push(
        `${stock.sku}: on hand ${level.onHand} (set ${stock.onHand}), reserved ${level.reserved} + allocated ${level.allocated}, orders hold ${heldUnits}`,
      );
    }
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
  for (const row of rows) {
    if (row.live_payments > 1) {
      findings.doubleCharges.push(`${row.order_id}: ${row.live_payments} monolith payments`);
    }
  }
  const decremented = rows
    .filter((row) => MONOLITH_HOLDS_STOCK.includes(row.status))
    .reduce((sum, row) => sum + row.quantity, 0);
  const level = await world.legacyDb.query<{ on_hand: number }>(
    'SELECT on_hand FROM monolith.stock WHERE sku = $1',
    [stock.sku],
  );
  if (level.rows[0]?.on_hand !== stock.onHand - decremented) {
    findings.stock.push(
      `monolith ${stock.sku}: on hand ${level.rows[0]?.on_hand}, expected ${stock.onHand} - ${decremented}`,
    );
  }
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
    const stage = await workflowStage(world, order, stages.get(order.orderId), findings);
    if (stage === undefined) continue;
    for (const shadowed of SHADOWED_STAGES) {
      const given = (verdicts.get(order.orderId) ?? []).filter((v) => v.stage === shadowed);
      if (given.length !== 1 || given[0]!.outcome !== 'match') {
        findings.comparator.push(
          `${order.orderId} ${shadowed}: ${JSON.stringify(given.map((v) => v.outcome))}`,
        );
      }
    }
    const ledger = await simulatorCall<unknown[]>(
      world.simulatorsUrl,
      'GET',
      `/payments/ledger?orderId=${order.orderId}`,
    );
    if (ledger.length > 0) {
      findings.doubleCharges.push(`${order.orderId}: the platform charged a monolith order`);
    }
    const reservations = await simulatorCall<unknown[]>(
      world.simulatorsUrl,
      'GET',
      `/warehouse/reservations?orderId=${order.orderId}`,
    );
    if (reservations.length > 0) {
      findings.stock.push(`${order.orderId}: the platform reserved stock for a monolith order`);
    }
    checkNotifications(order, await notificationsOf(world, order.orderId), false, findings);
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
 * The order's workflow and where it rests, cross-checked with the read model; undefined (and
 * a finding) when there is nothing to audit further.
 */
async function workflowStage(
  world: FaultWorld,
  order: StreamedOrder,
  readModelStage: string | undefined,
  findings: Findings,
): Promise<string | undefined> {
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
  return view.stage;
}

async function notificationsOf(world: FaultWorld, orderId: string): Promise<NotificationKind[]> {
  const sent = await simulatorCall<{ kind: NotificationKind }[]>(
    world.simulatorsUrl,
    'GET',
    `/notifications?orderId=${orderId}`,
  );
  return sent.map((n) => n.kind);
}

/** The domain's own rule (`mayNotify`) replayed over what the customer actually received. */
function checkNotifications(
  order: StreamedOrder,
  kinds: NotificationKind[],
  mustBeConfirmed: boolean,
  findings: Findings,
): void {
  if (new Set(kinds).size !== kinds.length) {
    findings.duplicateNotifications.push(`${order.orderId}: ${kinds.join(', ')}`);
  } else if (kinds.some((kind, i) => !mayNotify(kinds.slice(0, i), kind))) {
    findings.contradictoryNotifications.push(`${order.orderId}: ${kinds.join(', ')}`);
  }
  if (mustBeConfirmed && !kinds.includes('confirmed')) {
    findings.missingNotifications.push(`${order.orderId}: ${kinds.join(', ') || 'nothing'}`);
  }
}
