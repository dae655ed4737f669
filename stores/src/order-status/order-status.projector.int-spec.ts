/**
 * The order status read model on the stack's real PostgreSQL (migrated by the global setup):
 * what the workflow projects is what the gateway reads, and however late, repeated or
 * concurrent the projections, the newest version is the one that stays.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  customerViewOf,
  type Commitments,
  type OrderStage,
  type OrderStatusView,
} from '@order-platform/domain';
import { OperatorTaskRecord } from '../operator-tasks/operator-task.entity';
import { OrderStatusRecord } from './order-status.entity';
import { TypeOrmOrderStatusProjector } from './order-status.projector';
import { OrderStatusStore, type ReturnCursor } from './order-status.store';
import { suiteDataSource } from '../testing/suite-database';

const PLACED_AT = '2026-11-23T12:00:00.000Z';

function statusView(
  orderId: string,
  version: number,
  stage: OrderStage = 'AwaitingFraudDecision',
  changes: Partial<OrderStatusView> = {},
): OrderStatusView {
  const stageEnteredAt = new Date(Date.parse(PLACED_AT) + version * 1_000).toISOString();
  const stageDeadline = new Date(Date.parse(stageEnteredAt) + 15 * 60_000).toISOString();
  // From Confirmed on, the order holds everything the customer was promised (else the domain
  // says UNDER_REVIEW, whatever the stage).
  const holds = ['Confirmed', 'ReadyForFulfillment', 'Shipped', 'Delivered'].includes(stage);
  const commitments: Commitments = holds
    ? {
        fraud: { decision: 'approved', decidedBy: 'provider', at: PLACED_AT },
        stock: { reservationId: `r-${orderId}`, state: 'allocated' },
        payment: {
          authorizationId: `a-${orderId}`,
          state: 'authorized',
          amountMinor: 2_500,
          currency: 'EUR',
        },
      }
    : {};
  return {
    orderId,
    workflowId: `order-${orderId}`,
    customerId: 'c-ada',
    segment: 'standard',
    items: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 1_250 }],
    totalMinor: 2_500,
    currency: 'EUR',
    expedited: false,
    placedAt: PLACED_AT,
    stage,
    stageEnteredAt,
    stageDeadline,
    customer: customerViewOf({
      stage,
      stageEnteredAt,
      stageDeadline,
      commitments,
      now: stageEnteredAt,
    }),
    asOf: stageEnteredAt,
    commitments,
    compensations: [],
    history: [{ stage, at: stageEnteredAt }],
    needsAttention: '',
    migrationRoute: 'new',
    cancellable: true,
    version,
    ...changes,
  };
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('the order status read model (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let projector: TypeOrmOrderStatusProjector;
  const stored = (orderId: string) =>
    dataSource.getRepository(OrderStatusRecord).findOneByOrFail({ orderId });

  beforeAll(async () => {
    dataSource = await suiteDataSource({ applicationName: 'read-model-spec' });
    projector = new TypeOrmOrderStatusProjector(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('stores a projection the gateway can read back, column by column and as the full view', async () => {
    const orderId = `o-${randomUUID()}`;
    const view = statusView(orderId, 1, 'ManualReviewRequired', {
      needsAttention: 'manual review overdue',
      expedited: true,
      totalMinor: 9_007_199_254_740, // well past 2^32: bigint survives as a number
    });

    expect(await projector.project(view)).toEqual({ applied: true });

    const record = await stored(orderId);
    expect(record).toMatchObject({
      orderId,
      customerId: 'c-ada',
      workflowId: `order-${orderId}`,
      stage: 'ManualReviewRequired',
      customerStatus: 'UNDER_REVIEW',
      stageEnteredAt: new Date(view.stageEnteredAt),
      stageDeadline: new Date(view.stageDeadline!),
      placedAt: new Date(PLACED_AT),
      totalMinor: 9_007_199_254_740,
      currency: 'EUR',
      expedited: true,
      needsAttention: 'manual review overdue',
      migrationRoute: 'new',
      version: 1,
    });
    expect(record.view).toEqual(view);
    expect(record.updatedAt).toBeInstanceOf(Date);
  });

  it('stores "nothing needs attention" as NULL and a stage without deadline as NULL', async () => {
    const orderId = `o-${randomUUID()}`;
    await projector.project(statusView(orderId, 1, 'Delivered', { stageDeadline: null }));
    expect(await stored(orderId)).toMatchObject({ needsAttention: null, stageDeadline: null });
  });

  it('moves the order forward with each newer version', async () => {
    const orderId = `o-${randomUUID()}`;
    await projector.project(statusView(orderId, 1, 'AwaitingFraudDecision'));
    expect(await projector.project(statusView(orderId, 2, 'Confirmed'))).toEqual({ applied: true });
    expect(await stored(orderId)).toMatchObject({
      version: 2,
      stage: 'Confirmed',
      customerStatus: 'CONFIRMED',
    });
  });

  it('ignores a late write with a lower version: the newer status stays', async () => {
    const orderId = `o-${randomUUID()}`;
    await projector.project(statusView(orderId, 5, 'Confirmed'));

    // A slow attempt of an earlier projection finishes after the newer one.
    expect(await projector.project(statusView(orderId, 3, 'AwaitingFraudDecision'))).toEqual({
      applied: false,
    });
    expect(await stored(orderId)).toMatchObject({ version: 5, stage: 'Confirmed' });
    expect((await stored(orderId)).view.stage).toBe('Confirmed');
  });

  it('does not apply the same version twice (a retried projection)', async () => {
    const orderId = `o-${randomUUID()}`;
    await projector.project(statusView(orderId, 4, 'Confirmed'));
    const before = await stored(orderId);

    const retried = statusView(orderId, 4, 'Cancelled', { needsAttention: 'should not land' });
    expect(await projector.project(retried)).toEqual({ applied: false });

    const after = await stored(orderId);
    expect(after).toEqual(before);
  });

  it('ends at the highest version when versions 1..20 are written concurrently in any order', async () => {
    const orderId = `o-${randomUUID()}`;
    const versions = Array.from({ length: 20 }, (_, i) => i + 1);
    const order = shuffled(versions);
    const stages: OrderStage[] = ['AwaitingFraudDecision', 'InventoryHoldPending', 'Confirmed'];

    const results = await Promise.all(
      order.map((version) => projector.project(statusView(orderId, version, stages[version % 3]))),
    );

    const record = await stored(orderId);
    expect({ order, version: record.version, viewVersion: record.view.version }).toEqual({
      order,
      version: 20,
      viewVersion: 20,
    });
    expect(record.stage).toBe(stages[20 % 3]);
    // Version 20 is applied whenever it lands; every applied write was newer than the last.
    expect(results[order.indexOf(20)]).toEqual({ applied: true });
  });

  it('opens one post-hoc review task for an approval made without a screening, however often it is projected', async () => {
    const orderId = `o-${randomUUID()}`;
    const approvedByPolicy: Commitments = {
      fraud: { decision: 'approved', decidedBy: 'policy', flag: 'FraudSlaExpired', at: PLACED_AT },
    };
    // Another customer than the other cases': the index checks below count c-ada's rows.
    const customerId = 'c-post-hoc';
    await projector.project(statusView(orderId, 1, 'AwaitingFraudDecision', { customerId }));
    const reviews = dataSource.getRepository(OperatorTaskRecord);
    expect(await reviews.findOneBy({ orderId })).toBeNull();

    for (const version of [2, 3, 2]) {
      await projector.project(
        statusView(orderId, version, 'InventoryHoldPending', {
          customerId,
          commitments: approvedByPolicy,
        }),
      );
    }
    expect(await reviews.findBy({ orderId })).toEqual([
      expect.objectContaining({
        orderId,
        kind: 'post-hoc-review',
        subject: 'fraud',
        customerId,
        reason: 'FraudSlaExpired',
        occurredAt: new Date(PLACED_AT),
        status: 'open',
      }),
    ]);
    // A screened approval opens none.
    const screened = `o-${randomUUID()}`;
    await projector.project(statusView(screened, 1, 'Confirmed', { customerId }));
    expect(await reviews.findOneBy({ orderId: screened })).toBeNull();
  });

  it('opens one compensation-failed task per undo refused for good, however often it is projected', async () => {
    const orderId = `o-${randomUUID()}`;
    const customerId = 'c-compensation';
    const failedAt = '2026-11-23T10:05:00.000Z';
    for (const version of [1, 2, 1]) {
      await projector.project(
        statusView(orderId, version, 'Cancelled', {
          customerId,
          compensations: [
            { name: 'cancel-shipment', status: 'done', attempts: 1, at: failedAt },
            {
              name: 'void-authorization',
              status: 'failed',
              attempts: 1,
              at: failedAt,
              lastError: 'POST /void: 422 refused',
            },
          ],
        }),
      );
    }
    expect(await dataSource.getRepository(OperatorTaskRecord).findBy({ orderId })).toEqual([
      expect.objectContaining({
        kind: 'compensation-failed',
        subject: 'void-authorization',
        reason: 'POST /void: 422 refused',
        occurredAt: new Date(failedAt),
        status: 'open',
      }),
    ]);
  });

  describe("the gateway's list queries use the migration's indexes", () => {
    async function plan(sql: string, parameters: unknown[]): Promise<string> {
      const runner = dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        // The table is small in a test: forbid the sequential and bitmap scans (a bitmap scan
        // needs a sort whatever the index) to see which index serves the query and its order.
        await runner.query('SET LOCAL enable_seqscan = off');
        await runner.query('SET LOCAL enable_bitmapscan = off');
        const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN ${sql}`, parameters);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }

    it("a customer's orders, newest first", async () => {
      const text = await plan(
        'SELECT order_id FROM order_status WHERE customer_id = $1 ORDER BY placed_at DESC LIMIT 20',
        ['c-ada'],
      );
      expect(text).toContain('order_status_customer_placed_idx');
      expect(text).not.toContain('Sort');
    });

    it('orders stuck in a stage past its deadline', async () => {
      const text = await plan(
        'SELECT order_id FROM order_status WHERE stage = $1 AND stage_deadline < $2 ORDER BY stage_deadline',
        ['AwaitingFraudDecision', PLACED_AT],
      );
      expect(text).toContain('order_status_open_stage_deadline_idx');
    });
  });

  it('lists open returns, the earliest due first, one row per return, paged by a cursor', async () => {
    const store = new OrderStatusStore(dataSource);
    const mine = `o-ret-${randomUUID()}`;
    const aReturn = (n: number, state: string, parcelDueBy: string) => ({
      returnId: `return-${mine}-${n}`,
      lines: [{ sku: 'SKU-1', quantity: 1, refundMinor: 1_250 }],
      state,
      requestedAt: PLACED_AT,
      parcelDueBy,
      refundedMinor: state === 'refunded' ? 1_250 : 0,
    });
    const overdueAt = '2001-01-01T00:00:00.000Z';
    const dueLater = new Date(Date.now() + 86_400_000).toISOString();
    await projector.project(
      statusView(`${mine}-a`, 1, 'Delivered', {
        returns: [
          aReturn(1, 'authorized', dueLater),
          aReturn(2, 'refunded', overdueAt),
        ] as OrderStatusView['returns'],
      }),
    );
    await projector.project(
      statusView(`${mine}-b`, 1, 'Delivered', {
        needsAttention: `ReturnNotSettled:return-${mine}-4`,
        returns: [
          aReturn(3, 'lapsed', overdueAt),
          aReturn(4, 'received', overdueAt),
          aReturn(5, 'authorized', '2001-01-02T00:00:00.000Z'),
        ] as OrderStatusView['returns'],
      }),
    );

    const all: string[] = [];
    let after: ReturnCursor | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const rows = await store.openReturns({ limit: 2, after });
      if (rows.length === 0) break;
      all.push(...rows.filter((r) => r.orderId.startsWith(mine)).map((r) => r.returnId));
      const last = rows[rows.length - 1]!;
      after = { parcelDueBy: last.parcelDueBy.toISOString(), returnId: last.returnId };
    }
    expect(all).toEqual([`return-${mine}-4`, `return-${mine}-5`, `return-${mine}-1`]);

    const overdue = (await store.openReturns({ overdue: true, limit: 500 })).filter((r) =>
      r.orderId.startsWith(mine),
    );
    expect(overdue).toEqual([
      expect.objectContaining({
        returnId: `return-${mine}-4`,
        state: 'received',
        orderId: `${mine}-b`,
        needsAttention: `ReturnNotSettled:return-${mine}-4`,
        parcelDueBy: new Date(overdueAt),
      }),
      expect.objectContaining({ returnId: `return-${mine}-5`, state: 'authorized' }),
    ]);
    expect(overdue[0]!.overdueSeconds).toBeGreaterThan(24 * 365 * 86_400);
  });
});
