/**
 * The payment gateway: an authorization holds an amount until it expires (`validityMs`); a void
 * releases it; a capture takes it (once: a second capture of one authorization, under another
 * key, is refused 409 `already-captured`, which is how "charged twice" shows); a refund returns
 * part or all of a capture. Every money movement is a row in the ledger. Dials decline some
 * customers or amounts (402), refuse voids for good (422), slow the gateway down or make it
 * fail (503).
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db';
import { applyDials, loadSettings, saveSettings } from '../dials';
import { idempotent } from '../http/idempotency';
import { Input, queryParam } from '../http/input';
import { problem } from '../http/problem';
import { ok, route, type Reply, type Request, type Route } from '../http/router';

interface PaymentSettings {
  latencyMs: number;
  failureRate: number;
  declineCustomers: string[];
  /** Authorizations above this amount are declined (null: no limit). */
  declineAboveMinor: number | null;
  /** Voids are refused for good (422 `void-refused`), as a gateway that lost an authorization. */
  refuseVoids: boolean;
}

const DEFAULTS: PaymentSettings = {
  latencyMs: 0,
  failureRate: 0,
  declineCustomers: [],
  declineAboveMinor: null,
  refuseVoids: false,
};

interface Authorization {
  id: string;
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  /** A lapsed `authorized` one reads `expired`. */
  state: 'authorized' | 'expired' | 'voided' | 'captured';
  expiresAt: Date;
}

type LedgerKind = 'authorization' | 'void' | 'capture' | 'refund';

export function paymentRoutes(db: Db): Route[] {
  const settings = () => loadSettings(db, 'payments', DEFAULTS);
  // Every call to the gateway goes through its dials, compensations included.
  const post = (pattern: string, work: (tx: Queryable, request: Request) => Promise<Reply>) =>
    route('POST', pattern, async (request) =>
      idempotent(db, request, (tx) => work(tx, request), {
        before: async () => applyDials('payments', await settings()),
      }),
    );
  return [
    post('/payments/authorizations', (tx, { body }) => authorize(tx, body)),
    post('/payments/authorizations/:id/void', (tx, { params }) =>
      voidAuthorization(tx, params.id!),
    ),
    post('/payments/authorizations/:id/capture', (tx, { params, body }) =>
      capture(tx, params.id!, Input.of(body).integer('amountMinor', 1)),
    ),
    post('/payments/captures/:id/refund', (tx, { params, body }) =>
      refund(tx, params.id!, Input.of(body).integer('amountMinor', 1)),
    ),
    route('GET', '/payments/authorizations/:id', async ({ params }) => {
      const authorization = await findAuthorization(db, params.id!);
      if (!authorization) throw problem('not-found', `no authorization ${params.id}`);
      const { id, ...rest } = authorization;
      return ok({ authorizationId: id, ...rest });
    }),
    route('GET', '/payments/ledger', async (request) => {
      const [, orderId] = queryParam(request, 'orderId');
      const { rows } = await db.query(
        `SELECT id, order_id AS "orderId", customer_id AS "customerId", kind,
                amount_minor AS "amountMinor", currency, reference, created_at AS "createdAt"
         FROM payment_ledger WHERE order_id = $1 ORDER BY created_at, id`,
        [orderId],
      );
      return ok(rows);
    }),
    route('GET', '/payments/settings', async () => ok(await settings())),
    // PUT replaces the settings: what the body leaves out goes back to its default.
    route('PUT', '/payments/settings', async ({ body }) => {
      const input = Input.of(body);
      return ok(
        await saveSettings(db, 'payments', {
          latencyMs: input.optionalInteger('latencyMs') ?? DEFAULTS.latencyMs,
          failureRate: input.optionalFraction('failureRate') ?? DEFAULTS.failureRate,
          declineCustomers: input.optionalStrings('declineCustomers') ?? DEFAULTS.declineCustomers,
          declineAboveMinor: input.optionalInteger('declineAboveMinor') ?? null,
          refuseVoids: input.optionalBoolean('refuseVoids') ?? DEFAULTS.refuseVoids,
        } satisfies PaymentSettings),
      );
    }),
  ];
}

async function authorize(tx: Queryable, body: unknown) {
  const input = Input.of(body);
  const request = {
    orderId: input.string('orderId'),
    customerId: input.string('customerId'),
    amountMinor: input.integer('amountMinor', 1),
    currency: input.currency('currency'),
    validityMs: input.integer('validityMs', 1),
  };
  const { declineCustomers, declineAboveMinor } = await loadSettings(tx, 'payments', DEFAULTS);
  if (declineCustomers.includes(request.customerId)) {
    throw problem('payment-declined', `the card of customer ${request.customerId} was declined`);
  }
  if (declineAboveMinor !== null && request.amountMinor > declineAboveMinor) {
    throw problem('payment-declined', `${request.amountMinor} is above the card's limit`);
  }
  const authorizationId = `auth_${randomUUID()}`;
  const { rows } = await tx.query<{ expiresAt: Date }>(
    `INSERT INTO payment_authorizations
       (id, order_id, customer_id, amount_minor, currency, state, expires_at)
     VALUES ($1, $2, $3, $4, $5, 'authorized',
             clock_timestamp() + $6 * interval '1 millisecond')
     RETURNING expires_at AS "expiresAt"`,
    [
      authorizationId,
      request.orderId,
      request.customerId,
      request.amountMinor,
      request.currency,
      request.validityMs,
    ],
  );
  await addToLedger(tx, 'authorization', request, authorizationId);
  return ok({ authorizationId, expiresAt: rows[0]!.expiresAt }, 201);
}

/** Voiding a voided or expired authorization succeeds and moves no money. */
async function voidAuthorization(tx: Queryable, authorizationId: string) {
  const authorization = await findAuthorization(tx, authorizationId, 'FOR UPDATE');
  if (!authorization) throw problem('not-found', `no authorization ${authorizationId}`);
  if ((await loadSettings(tx, 'payments', DEFAULTS)).refuseVoids) {
    throw problem('void-refused', `the gateway refuses to void ${authorizationId}`);
  }
  if (authorization.state === 'captured') {
    throw problem('already-captured', `authorization ${authorizationId} was captured: refund it`);
  }
  if (authorization.state === 'authorized') {
    await tx.query(`UPDATE payment_authorizations SET state = 'voided' WHERE id = $1`, [
      authorizationId,
    ]);
    await addToLedger(tx, 'void', authorization, authorizationId);
  }
  const state = authorization.state === 'authorized' ? 'voided' : authorization.state;
  return ok({ authorizationId, state });
}

async function capture(tx: Queryable, authorizationId: string, amountMinor: number) {
  const authorization = await findAuthorization(tx, authorizationId, 'FOR UPDATE');
  if (!authorization) throw problem('not-found', `no authorization ${authorizationId}`);
  if (authorization.state === 'captured') {
    throw problem('already-captured', `authorization ${authorizationId} was already captured`);
  }
  if (authorization.state !== 'authorized') {
    throw problem(
      'authorization-expired',
      `authorization ${authorizationId} is ${authorization.state}`,
    );
  }
  if (amountMinor > authorization.amountMinor) {
    throw problem(
      'amount-exceeds-authorization',
      `${amountMinor} is more than the ${authorization.amountMinor} authorized`,
    );
  }
  const captureId = `cap_${randomUUID()}`;
  await tx.query(
    'INSERT INTO payment_captures (id, authorization_id, amount_minor) VALUES ($1, $2, $3)',
    [captureId, authorizationId, amountMinor],
  );
  await tx.query(`UPDATE payment_authorizations SET state = 'captured' WHERE id = $1`, [
    authorizationId,
  ]);
  await addToLedger(tx, 'capture', { ...authorization, amountMinor }, captureId);
  return ok({ captureId }, 201);
}

async function refund(tx: Queryable, captureId: string, amountMinor: number) {
  const { rows } = await tx.query<{ authorizationId: string; left: number }>(
    `SELECT authorization_id AS "authorizationId", amount_minor - refunded_minor AS left
     FROM payment_captures WHERE id = $1 FOR UPDATE`,
    [captureId],
  );
  const captured = rows[0];
  if (!captured) throw problem('not-found', `no capture ${captureId}`);
  if (amountMinor > captured.left) {
    throw problem(
      'amount-exceeds-capture',
      `${amountMinor} is more than the ${captured.left} left`,
    );
  }
  await tx.query('UPDATE payment_captures SET refunded_minor = refunded_minor + $2 WHERE id = $1', [
    captureId,
    amountMinor,
  ]);
  const authorization = (await findAuthorization(tx, captured.authorizationId))!;
  const refundId = `ref_${randomUUID()}`;
  await addToLedger(tx, 'refund', { ...authorization, amountMinor }, refundId);
  return ok({ refundId }, 201);
}

async function findAuthorization(
  q: Queryable,
  authorizationId: string,
  lock = '',
): Promise<Authorization | undefined> {
  const { rows } = await q.query<Authorization>(
    `SELECT id, order_id AS "orderId", customer_id AS "customerId", amount_minor AS "amountMinor",
            currency, expires_at AS "expiresAt",
            CASE WHEN state = 'authorized' AND expires_at <= clock_timestamp() THEN 'expired'
                 ELSE state END AS state
     FROM payment_authorizations WHERE id = $1 ${lock}`,
    [authorizationId],
  );
  return rows[0];
}

async function addToLedger(
  tx: Queryable,
  kind: LedgerKind,
  movement: Pick<Authorization, 'orderId' | 'customerId' | 'amountMinor' | 'currency'>,
  reference: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO payment_ledger
       (id, order_id, customer_id, kind, amount_minor, currency, reference)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      `led_${randomUUID()}`,
      movement.orderId,
      movement.customerId,
      kind,
      movement.amountMinor,
      movement.currency,
      reference,
    ],
  );
}
