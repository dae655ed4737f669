/**
 * Admission shared by every gateway (`admission_window`, `customer_rate_limit`): the customer's
 * token bucket and a slot under the bound of work not yet started, taken together in one
 * statement, so however many gateways call at once none admits past the bound or the limit.
 * Hand-written SQL: an upsert that computes the bucket on its locked row and a conditional
 * update joined to it in one CTE, which TypeORM's repositories cannot say; the two statements
 * every submission runs (take, finish) are prepared.
 *
 * Both tables are UNLOGGED (see the migration): a crash or a failover empties them, which lets a
 * customer's bucket refill at once and resets the window until the next sample.
 */
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../connection';

export interface AdmissionWindow {
  /** Bumped by every sample that lands. */
  period: number;
  sampledPending: number;
  /** Seconds since the last sample landed (any gateway's); null before the first. */
  sampledAgeSeconds: number | null;
  admittedCurrent: number;
  admittedPrevious: number;
  drainPerSecond: number;
  /** Submissions taken and not yet finished, in this generation of slots and the one before. */
  inFlightCurrent: number;
  inFlightPrevious: number;
}

/**
 * How long a slot stays counted while its submission runs: a submission takes seconds at most
 * (every call it makes is bounded), and a gateway that dies mid-submission leaves its slots
 * behind; they are forgotten after one to two generations.
 */
export const IN_FLIGHT_GENERATION_SECONDS = 60;

/** What the shared count says is not yet started: the sample plus what was admitted since. */
export const pendingOf = (window: AdmissionWindow): number =>
  Math.max(
    0,
    window.sampledPending +
      window.inFlightCurrent +
      window.inFlightPrevious +
      window.admittedCurrent +
      window.admittedPrevious,
  );

/** The same sum in SQL, over `admission_window` aliased `w`. */
const PENDING_SQL = `(w.sampled_pending + w.in_flight_current + w.in_flight_previous
  + w.admitted_current + w.admitted_previous)`;

export type AdmissionTake =
  /** A slot, held until `finish` with its generation. */
  | { outcome: 'admitted'; generation: number }
  /** The customer's bucket was empty: `tokens` (under 1) is what is left in it. */
  | { outcome: 'rate-limited'; tokens: number }
  | { outcome: 'backlog-full'; pending: number; drainPerSecond: number };

interface WindowRow {
  period: string;
  sampled_pending: number;
  sampled_age_seconds: number | null;
  admitted_current: number;
  admitted_previous: number;
  drain_per_second: number;
  in_flight_current: number;
  in_flight_previous: number;
}

const toWindow = (row: WindowRow): AdmissionWindow => ({
  period: Number(row.period),
  sampledPending: row.sampled_pending,
  sampledAgeSeconds: row.sampled_age_seconds === null ? null : Number(row.sampled_age_seconds),
  admittedCurrent: row.admitted_current,
  admittedPrevious: row.admitted_previous,
  drainPerSecond: row.drain_per_second,
  inFlightCurrent: row.in_flight_current,
  inFlightPrevious: row.in_flight_previous,
});

const WINDOW_COLUMNS = `period, sampled_pending, admitted_current, admitted_previous, drain_per_second,
  in_flight_current, in_flight_previous,
  EXTRACT(EPOCH FROM now() - sampled_at)::float8 AS sampled_age_seconds`;

/**
 * The bucket refilled up to now, on its locked row. `now()` is each statement's start: the
 * elapsed time never counts below zero nor does `refilled_at` go back, so two statements that
 * started out of order cannot refill the same interval twice.
 */
const REFILLED = `LEAST($3::float8, b.tokens
  + GREATEST(0, EXTRACT(EPOCH FROM now() - b.refilled_at)) * $4::float8)`;

const ROTATE_IN_FLIGHT = `in_flight_rotated_at <= now() - interval '${IN_FLIGHT_GENERATION_SECONDS} seconds'`;

const TAKE = `
WITH bucket AS (
  INSERT INTO customer_rate_limit AS b (customer_id, tokens, refilled_at, allowed)
  VALUES ($1, $3::float8 - 1, now(), true)
  ON CONFLICT (customer_id) DO UPDATE SET
    allowed = ${REFILLED} >= 1,
    tokens = ${REFILLED} - CASE WHEN ${REFILLED} >= 1 THEN 1 ELSE 0 END,
    refilled_at = GREATEST(b.refilled_at, now())
  RETURNING allowed, tokens
), slot AS (
  UPDATE admission_window w SET in_flight_current = w.in_flight_current + 1
    FROM bucket
   WHERE bucket.allowed AND w.task_queue = $2 AND ${PENDING_SQL} < $5
  RETURNING w.in_flight_generation
)
SELECT bucket.allowed, bucket.tokens, slot.in_flight_generation AS generation,
       ${PENDING_SQL} AS pending, w.drain_per_second
  FROM bucket
  LEFT JOIN slot ON true
  LEFT JOIN admission_window w ON w.task_queue = $2`;

export class AdmissionStore {
  constructor(private readonly db: DataSource) {}

  /** Creates the queue's window if it is missing (every gateway at start; harmless to repeat). */
  async ensureWindow(taskQueue: string): Promise<void> {
    await this.db.query(
      'INSERT INTO admission_window (task_queue) VALUES ($1) ON CONFLICT DO NOTHING',
      [taskQueue],
    );
  }

  async window(taskQueue: string): Promise<AdmissionWindow | undefined> {
    const rows: WindowRow[] = await this.db.query(
      `SELECT ${WINDOW_COLUMNS} FROM admission_window WHERE task_queue = $1`,
      [taskQueue],
    );
    return rows[0] && toWindow(rows[0]);
  }

  /**
   * Takes a token from the customer's bucket and, if there was one, a slot under `bound` in the
   * queue's window: one statement, locking the customer's row, then the window's.
   */
  async take(input: {
    customerId: string;
    taskQueue: string;
    burst: number;
    refillPerSecond: number;
    bound: number;
  }): Promise<AdmissionTake> {
    const [row]: {
      allowed: boolean;
      tokens: number;
      generation: string | null;
      pending: number | null;
      drain_per_second: number | null;
    }[] = await preparedQuery(this.db, 'admission-take', TAKE, [
      input.customerId,
      input.taskQueue,
      input.burst,
      input.refillPerSecond,
      input.bound,
    ]);
    if (!row) throw new Error('the admission statement returned no row');
    if (!row.allowed) return { outcome: 'rate-limited', tokens: row.tokens };
    if (row.generation !== null) return { outcome: 'admitted', generation: Number(row.generation) };
    if (row.pending === null) throw new Error(`no admission window for ${input.taskQueue}`);
    return {
      outcome: 'backlog-full',
      pending: Math.max(0, row.pending),
      drainPerSecond: row.drain_per_second ?? 0,
    };
  }

  /**
   * Ends a slot taken in `generation`: its submission is done. An order it created now counts as
   * admitted in the current period (until visibility shows it, see `landSample`); a repeat or a
   * failure frees the room. A slot whose generation has aged out is only counted if it created.
   */
  async finish(taskQueue: string, generation: number, created: boolean): Promise<void> {
    await preparedQuery(
      this.db,
      'admission-finish',
      `UPDATE admission_window
          SET in_flight_current = in_flight_current - (in_flight_generation = $2::bigint)::int,
              in_flight_previous = in_flight_previous - (in_flight_generation = $2::bigint + 1)::int,
              admitted_current = admitted_current + $3::int
        WHERE task_queue = $1`,
      [taskQueue, generation, created ? 1 : 0],
    );
  }

  /**
   * Lands a sample: `pending` was measured after the window read as `before`, so the
   * `before.admittedCurrent` admitted until then move to the previous period (visibility may
   * not show them yet) and whatever was admitted since stays current. Only if no other gateway
   * landed one since `before` nor within `minGapMs`: one sample per period, whoever takes it.
   * Every IN_FLIGHT_GENERATION_SECONDS it also starts a new generation of in-flight slots,
   * forgetting those of the generation before (left behind by a gateway that died).
   * @returns the window after, or undefined if another gateway's sample stands
   */
  async landSample(
    taskQueue: string,
    before: AdmissionWindow,
    sample: { pending: number; drainPerSecond: number; minGapMs: number },
  ): Promise<AdmissionWindow | undefined> {
    const [rows]: [WindowRow[], number] = await this.db.query(
      `UPDATE admission_window
          SET period = period + 1,
              sampled_pending = $3,
              admitted_previous = $4,
              admitted_current = admitted_current - $4,
              drain_per_second = $5,
              sampled_at = now(),
              in_flight_previous = CASE WHEN ${ROTATE_IN_FLIGHT} THEN in_flight_current ELSE in_flight_previous END,
              in_flight_current = CASE WHEN ${ROTATE_IN_FLIGHT} THEN 0 ELSE in_flight_current END,
              in_flight_generation = in_flight_generation + (${ROTATE_IN_FLIGHT})::int,
              in_flight_rotated_at = CASE WHEN ${ROTATE_IN_FLIGHT} THEN now() ELSE in_flight_rotated_at END
        WHERE task_queue = $1 AND period = $2
          AND (sampled_at IS NULL OR sampled_at <= now() - make_interval(secs => $6::float8 / 1000))
        RETURNING ${WINDOW_COLUMNS}`,
      [
        taskQueue,
        before.period,
        sample.pending,
        before.admittedCurrent,
        sample.drainPerSecond,
        sample.minGapMs,
      ],
    );
    return rows[0] && toWindow(rows[0]);
  }

  /**
   * Forgets buckets that have refilled completely (a missing bucket is a full one), at most
   * `limit` at a time, so the table holds only customers seen within the refill time.
   */
  async forgetFullBuckets(fullAfterSeconds: number, limit = 10_000): Promise<number> {
    const [, affected]: [unknown, number] = await this.db.query(
      `DELETE FROM customer_rate_limit WHERE customer_id IN (
         SELECT customer_id FROM customer_rate_limit
          WHERE refilled_at < now() - make_interval(secs => $1::float8) LIMIT $2)`,
      [fullAfterSeconds, limit],
    );
    return affected;
  }
}
