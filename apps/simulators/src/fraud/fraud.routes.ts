/**
 * The fraud provider: it screens an order and answers approve, review or reject with a risk
 * score. By default it is fast and the score is low and deterministic (derived from the order
 * id), so orders are approved. Dials make it slow (the response really waits `latencyMs`),
 * flaky (`failureRate` → 503), strict (thresholds, customers always rejected) or force one
 * decision for every order.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db';
import { applyDials, loadSettings, saveSettings } from '../dials';
import { idempotent } from '../http/idempotency';
import { Input, queryParam } from '../http/input';
import { ok, route, type Route } from '../http/router';

const DECISIONS = ['approve', 'reject', 'review'] as const;
type Decision = (typeof DECISIONS)[number];

interface FraudSettings {
  latencyMs: number;
  failureRate: number;
  /** Every order gets this decision, whatever its score (null: decide by score). */
  decision: Decision | null;
  reviewAboveScore: number;
  rejectAboveScore: number;
  /** Customers always rejected, with score 100 (even when a decision is forced). */
  rejectCustomers: string[];
}

const DEFAULTS: FraudSettings = {
  latencyMs: 0,
  failureRate: 0,
  decision: null,
  reviewAboveScore: 60,
  rejectAboveScore: 85,
  rejectCustomers: [],
};

interface Screening {
  orderId: string;
  customerId: string;
  segment: string;
  totalMinor: number;
  currency: string;
}

export function fraudRoutes(db: Db): Route[] {
  const settings = () => loadSettings(db, 'fraud', DEFAULTS);
  return [
    route('POST', '/fraud/screenings', async (request) => {
      const screening = readScreening(request.body);
      return idempotent(db, request, (tx) => screen(tx, screening), {
        before: async () => applyDials('fraud', await settings()),
      });
    }),
    route('GET', '/fraud/screenings', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT id AS reference, order_id AS "orderId", customer_id AS "customerId", decision,
                score, created_at AS "screenedAt"
         FROM fraud_screenings WHERE order_id = $1 ORDER BY created_at, id`,
        [orderId],
      );
      return ok(rows);
    }),
    route('GET', '/fraud/settings', async () => ok(await settings())),
    // PUT replaces the settings: what the body leaves out goes back to its default.
    route('PUT', '/fraud/settings', async (request) => {
      const input = Input.of(request.body);
      return ok(
        await saveSettings(db, 'fraud', {
          latencyMs: input.optionalInteger('latencyMs') ?? DEFAULTS.latencyMs,
          failureRate: input.optionalFraction('failureRate') ?? DEFAULTS.failureRate,
          decision: input.optionalOneOf('decision', DECISIONS) ?? DEFAULTS.decision,
          reviewAboveScore: input.optionalInteger('reviewAboveScore') ?? DEFAULTS.reviewAboveScore,
          rejectAboveScore: input.optionalInteger('rejectAboveScore') ?? DEFAULTS.rejectAboveScore,
          rejectCustomers: input.optionalStrings('rejectCustomers') ?? DEFAULTS.rejectCustomers,
        } satisfies FraudSettings),
      );
    }),
  ];
}

function readScreening(body: unknown): Screening {
  const input = Input.of(body);
  return {
    orderId: input.string('orderId'),
    customerId: input.string('customerId'),
    segment: input.string('segment'),
    totalMinor: input.integer('totalMinor'),
    currency: input.currency('currency'),
  };
}

async function screen(tx: Queryable, screening: Screening) {
  const settings = await loadSettings(tx, 'fraud', DEFAULTS);
  const { decision, score } = decide(screening, settings);
  const reference = `fraud_${randomUUID()}`;
  await tx.query(
    `INSERT INTO fraud_screenings
       (id, order_id, customer_id, segment, total_minor, currency, decision, score)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      reference,
      screening.orderId,
      screening.customerId,
      screening.segment,
      screening.totalMinor,
      screening.currency,
      decision,
      score,
    ],
  );
  return ok({ decision, score, reference });
}

function decide(screening: Screening, settings: FraudSettings) {
  if (settings.rejectCustomers.includes(screening.customerId)) {
    return { decision: 'reject' as const, score: 100 };
  }
  const score = baseScore(screening.orderId);
  const byScore: Decision =
    score > settings.rejectAboveScore
      ? 'reject'
      : score > settings.reviewAboveScore
        ? 'review'
        : 'approve';
  return { decision: settings.decision ?? byScore, score };
}

/** A low score (0-29) that is the same for the same order id, so runs are reproducible. */
function baseScore(orderId: string): number {
  return createHash('sha256').update(orderId).digest().readUInt32BE(0) % 30;
}
