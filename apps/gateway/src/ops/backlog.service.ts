/**
 * The backlog by business stage, from the read model: how many orders wait in each open stage,
 * how old the oldest is, the p50/p95 age, and how many are past the stage's deadline. Orders the
 * gateway admitted that no worker has projected yet count as AcceptedForProcessing. One query,
 * cached for a second, serves the ops API, the metrics and admission's view of the queue.
 */
import { Injectable } from '@nestjs/common';
import { ORDER_STAGES, type OrderStage, TERMINAL_STAGES } from '@order-platform/domain';
import { OrderStatusStore } from '@order-platform/stores';

export const OPEN_STAGES = ORDER_STAGES.filter((stage) => !TERMINAL_STAGES.includes(stage));

/** What the operator reads: "12% of orders awaiting fraud decision beyond SLA". */
export const STAGE_WAITING_FOR: Partial<Record<OrderStage, string>> = {
  AcceptedForProcessing: 'waiting to be started',
  AwaitingFraudDecision: 'awaiting fraud decision',
  ManualReviewRequired: 'awaiting manual review',
  InventoryHoldPending: 'awaiting stock reservation',
  PaymentAuthorizationPending: 'awaiting payment authorization',
  Confirmed: 'confirmed, awaiting fulfilment',
  ReadyForFulfillment: 'awaiting shipment',
  Shipped: 'awaiting delivery',
};

export interface StageBacklog {
  stage: OrderStage;
  count: number;
  oldestAgeSeconds: number | null;
  p50AgeSeconds: number | null;
  p95AgeSeconds: number | null;
  overdueCount: number;
  overduePercent: number;
  summary: string;
}

export interface BacklogSnapshot {
  asOf: string;
  stages: StageBacklog[];
}

const round = (value: number | null): number | null =>
  value === null ? null : Math.round(value * 10) / 10;

@Injectable()
export class BacklogService {
  private cached?: { atMs: number; snapshot: Promise<BacklogSnapshot> };

  constructor(private readonly orders: OrderStatusStore) {}

  snapshot(maxAgeMs = 1000): Promise<BacklogSnapshot> {
    const now = Date.now();
    if (!this.cached || now - this.cached.atMs > maxAgeMs) {
      const snapshot = this.query();
      this.cached = { atMs: now, snapshot };
      // A failed query is not cached: the next caller asks again.
      snapshot.catch(() => (this.cached = undefined));
    }
    return this.cached.snapshot;
  }

  private async query(): Promise<BacklogSnapshot> {
    const rows = await this.orders.backlog();
    const byStage = new Map(rows.map((row) => [row.stage, row]));
    return {
      asOf: (rows[0]?.as_of ?? new Date()).toISOString(),
      stages: OPEN_STAGES.map((stage) => {
        const row = byStage.get(stage);
        const count = row?.count ?? 0;
        const overdueCount = row?.overdue ?? 0;
        const overduePercent = count === 0 ? 0 : Math.round((overdueCount / count) * 1000) / 10;
        return {
          stage,
          count,
          oldestAgeSeconds: round(row?.oldest ?? null),
          p50AgeSeconds: round(row?.p50 ?? null),
          p95AgeSeconds: round(row?.p95 ?? null),
          overdueCount,
          overduePercent,
          summary: `${overduePercent}% of orders ${STAGE_WAITING_FOR[stage] ?? `in ${stage}`} beyond the stage deadline (${overdueCount} of ${count})`,
        };
      }),
    };
  }
}
