/**
 * The world a fault runs against (Temporal, the platform's and the monolith's databases, the
 * simulators, Kafka), and when its orders count as at rest: each resting in a stage that waits
 * for the outside by design or finished, and each monolith order judged by the comparator.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { type OrderStage, TERMINAL_STAGES } from '@order-platform/domain';
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
export const isSettled = (stage: string | undefined): boolean =>
  stage !== undefined && [...WAITING_STAGES, ...TERMINAL_STAGES].includes(stage as OrderStage);

/** Stages the comparator must give a verdict on for a shadowed monolith order. */
export const SHADOWED_STAGES = ['fraud', 'inventory', 'payment'] as const;

export async function readModelStages(world: FaultWorld, orderIds: string[]) {
  const { rows } = await world.platformDb.query<{ order_id: string; stage: string }>(
    'SELECT order_id, stage FROM order_status WHERE order_id = ANY($1)',
    [orderIds],
  );
  return new Map(rows.map((row) => [row.order_id, row.stage]));
}

export async function verdictsOf(world: FaultWorld, orderIds: string[]) {
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
