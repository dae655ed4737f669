/**
 * Orders as the gateway admitted them (`order_submission`), keyed for idempotency: a customer's
 * `Idempotency-Key` maps to one order and the hash of the request it came with. Each submission
 * also records whether its workflow was started: a replayed key never starts anything once it
 * was, whatever Temporal still retains, and the sweeper starts or expires the rest.
 *
 * What every submission runs (record, find, startOnce) is SQL by hand in prepared statements,
 * and the submission and its personal data are recorded by one: TypeORM's query builders cost
 * the gateway more CPU per submission than the statements themselves (docs/benchmarks.md).
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { PlacedOrder, ShippingAddress } from '@order-platform/domain';
import { preparedQuery } from '../connection';
import { recordPersonalDataOf } from '../personal-data/order-personal-data.store';
import { OrderSubmissionRecord, type StartState } from './order-submission.entity';

export interface Submission {
  orderId: string;
  requestHash: string;
  placedOrder: PlacedOrder;
  startState: StartState;
}

/** Starts an order's workflow; throws when it could not (Temporal unreachable, say). */
export type StartWorkflow = (order: PlacedOrder) => Promise<void>;

export interface SweepOutcome {
  /** False when another process held the sweep lock: it swept instead. */
  swept: boolean;
  started: string[];
  failed: string[];
  expired: string[];
}

/** A row of `order_submission` as the hot path's statements read it (SQL by hand, see above). */
interface SubmissionRow {
  order_id: string;
  request_hash: string;
  placed_order: PlacedOrder;
  start_state: StartState;
  start_attempts: number;
}

/** Submissions that still wait for a start. */
const UNSTARTED: readonly StartState[] = ['pending', 'failed'];
/** pg_try_advisory_xact_lock key: one sweep at a time over every gateway on the database. */
const SWEEP_LOCK = 13_0401;

const describeError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).slice(0, 500);

export class OrderSubmissionStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Records the submission (pending) unless the customer already used this key; either way
   * returns the submission stored under the key, and whether this call created it. One
   * statement: the submission and its personal data commit together, or neither does.
   */
  async record(
    customerId: string,
    idempotencyKey: string,
    candidate: Pick<Submission, 'requestHash' | 'placedOrder'>,
    /** Kept apart from the order (order_personal_data), in the same statement. */
    personalData?: { shippingAddress: ShippingAddress },
  ): Promise<{ created: boolean; submission: Submission }> {
    const orderId = candidate.placedOrder.orderId;
    // ON CONFLICT DO NOTHING: the unique (customer, key) keeps the first submission.
    const recorded = `INSERT INTO order_submission (order_id, customer_id, idempotency_key,
        request_hash, placed_order, placed_at, start_state, start_attempts)
      VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'pending', 0)
      ON CONFLICT DO NOTHING
      RETURNING order_id`;
    const parameters: unknown[] = [
      orderId,
      customerId,
      idempotencyKey,
      candidate.requestHash,
      JSON.stringify(candidate.placedOrder),
      new Date(candidate.placedOrder.placedAt),
    ];
    const inserted = personalData
      ? await preparedQuery(
          this.db,
          'submission-record-with-personal-data',
          `WITH submission AS (${recorded}),
                personal AS (${recordPersonalDataOf('submission', '$7')})
           SELECT order_id FROM submission`,
          [...parameters, JSON.stringify(personalData.shippingAddress)],
        )
      : await preparedQuery(this.db, 'submission-record', recorded, parameters);
    if (inserted.length === 1) {
      return { created: true, submission: { ...candidate, orderId, startState: 'pending' } };
    }
    const existing = await this.find(customerId, idempotencyKey);
    if (!existing) throw new Error('idempotency record vanished between insert and read');
    return { created: false, submission: existing };
  }

  /** The submission a customer made under this key, if any. */
  async find(customerId: string, idempotencyKey: string): Promise<Submission | undefined> {
    const [row] = await preparedQuery<SubmissionRow>(
      this.db,
      'submission-find',
      `SELECT order_id, request_hash, placed_order, start_state FROM order_submission
        WHERE customer_id = $1 AND idempotency_key = $2`,
      [customerId, idempotencyKey],
    );
    return row
      ? {
          orderId: row.order_id,
          requestHash: row.request_hash,
          placedOrder: row.placed_order,
          startState: row.start_state,
        }
      : undefined;
  }

  /**
   * Starts the submission's workflow unless it was started, expired or cancelled already, and
   * records the outcome. The row stays locked meanwhile, so a cancel or the sweeper waits for
   * the answer instead of deciding on a state that is about to change. Returns the state after;
   * rethrows the start's error once the failure is recorded.
   */
  async startOnce(orderId: string, start: StartWorkflow): Promise<StartState> {
    const attempt = await this.db.transaction(async (tx) => {
      const [row] = await preparedQuery<
        Pick<SubmissionRow, 'placed_order' | 'start_state' | 'start_attempts'>
      >(
        tx,
        'submission-lock',
        `SELECT placed_order, start_state, start_attempts
           FROM order_submission WHERE order_id = $1 FOR UPDATE`,
        [orderId],
      );
      if (!row) throw new Error(`no submission ${orderId}`);
      if (!UNSTARTED.includes(row.start_state)) return { state: row.start_state };
      return this.attemptStart(tx, orderId, row.placed_order, row.start_attempts + 1, start);
    });
    // Thrown after the commit, so the failure stays recorded for the sweeper.
    if ('error' in attempt) throw attempt.error;
    return attempt.state;
  }

  /** Records a start that was not even tried (Temporal known to be away). */
  async recordStartFailure(orderId: string, error: unknown): Promise<void> {
    await this.db
      .createQueryBuilder()
      .update(OrderSubmissionRecord)
      .set({ startState: 'failed', lastError: describeError(error) })
      .where('orderId = :orderId AND startState IN (:...unstarted)', {
        orderId,
        unstarted: UNSTARTED,
      })
      .execute();
  }

  /**
   * Cancels the customer's submission if its workflow was never started, so nothing will start
   * it. Returns the state after the call (`cancelled`, or the state that made it impossible),
   * or undefined when the customer has no such submission.
   */
  async cancelUnstarted(customerId: string, orderId: string): Promise<StartState | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await tx
        .getRepository(OrderSubmissionRecord)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .where('s.orderId = :orderId AND s.customerId = :customerId', { orderId, customerId })
        .getOne();
      if (!row) return undefined;
      if (!UNSTARTED.includes(row.startState)) return row.startState;
      await tx
        .getRepository(OrderSubmissionRecord)
        .update({ orderId }, { startState: 'cancelled', endedAt: () => 'now()' });
      return 'cancelled';
    });
  }

  /**
   * One pass of the sweeper, on one process at a time (a transaction-scoped advisory lock held
   * for the pass): expires the submissions that stayed unstarted past `deadlineMs`, then starts
   * up to `limit` of the others older than `settleMs` (younger ones are still being started by
   * their own request), each through `startOnce`, so a cancel or a replay racing it is decided
   * by the row lock. Stops at the first failure: Temporal is probably still away.
   */
  async sweep(options: {
    deadlineMs: number;
    settleMs: number;
    limit: number;
    start: StartWorkflow;
  }): Promise<SweepOutcome> {
    const outcome: SweepOutcome = { swept: false, started: [], failed: [], expired: [] };
    const lockHolder = this.db.createQueryRunner();
    await lockHolder.connect();
    try {
      await lockHolder.startTransaction();
      // SQL by hand: an advisory lock has no TypeORM API.
      const [lock] = (await lockHolder.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SWEEP_LOCK,
      ])) as { locked: boolean }[];
      if (!lock?.locked) return outcome;
      outcome.swept = true;
      // SQL by hand: an UPDATE ... RETURNING over an interval by the database's clock.
      const [expired] = (await this.db.query(
        `UPDATE order_submission SET start_state = 'expired', ended_at = now()
          WHERE start_state IN ('pending', 'failed')
            AND placed_at < now() - $1 * interval '1 millisecond'
        RETURNING order_id`,
        [options.deadlineMs],
      )) as [{ order_id: string }[], number];
      outcome.expired = expired.map((row) => row.order_id);
      const due = await this.db
        .getRepository(OrderSubmissionRecord)
        .createQueryBuilder('s')
        .select(['s.orderId'])
        .where('s.startState IN (:...unstarted)', { unstarted: UNSTARTED })
        .andWhere(`s.placedAt < now() - :settleMs * interval '1 millisecond'`, {
          settleMs: options.settleMs,
        })
        .orderBy('s.placedAt', 'ASC')
        .limit(options.limit)
        .getMany();
      for (const { orderId } of due) {
        try {
          if ((await this.startOnce(orderId, options.start)) === 'started') {
            outcome.started.push(orderId);
          }
        } catch {
          outcome.failed.push(orderId);
          break;
        }
      }
      return outcome;
    } finally {
      if (lockHolder.isTransactionActive) await lockHolder.rollbackTransaction();
      await lockHolder.release();
    }
  }

  private async attemptStart(
    tx: EntityManager,
    orderId: string,
    order: PlacedOrder,
    attempts: number,
    start: StartWorkflow,
  ): Promise<{ state: StartState; error?: unknown }> {
    try {
      await start(order);
    } catch (error) {
      await preparedQuery(
        tx,
        'submission-start-failed',
        `UPDATE order_submission SET start_state = 'failed', start_attempts = $2, last_error = $3
          WHERE order_id = $1`,
        [orderId, attempts, describeError(error)],
      );
      return { state: 'failed', error };
    }
    await preparedQuery(
      tx,
      'submission-started',
      `UPDATE order_submission
          SET start_state = 'started', start_attempts = $2, started_at = now(), last_error = NULL
        WHERE order_id = $1`,
      [orderId, attempts],
    );
    return { state: 'started' };
  }
}
