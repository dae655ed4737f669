/**
 * The fulfilment service's webhook to the platform: every dispatch, delivery and return parcel
 * received back, written to the outbox with the fact, is POSTed to the configured URL, signed
 * (HMAC-SHA256 over `<timestamp>.<raw body>` with the shared secret), until the platform
 * answers 2xx. A platform that is down or slow loses nothing: the notification is retried with
 * backoff, for as long as it takes. A 4xx other than 408 and 429 is a refusal that no retry
 * changes (an order or return the platform does not know, a signature it does not accept): the
 * notification is parked as `rejected`, readable through `GET /fulfillment/notifications`. One
 * shipment's facts (its returns' included) are sent in the order they happened.
 */
import { createHmac } from 'node:crypto';
import type { Db, Queryable } from '../db';
import { loadSettings, saveSettings } from '../dials';
import type { Log } from '../log';

export interface FulfillmentFact {
  /** Stable per fact (`<shipmentId>:<kind>`, `<returnId>:return-received`): a repeat is told. */
  eventId: string;
  orderId: string;
  shipmentId: string;
  kind: 'dispatched' | 'delivered' | 'return-received';
  /** The platform's return authorization the parcel came back under (return-received only). */
  returnId?: string;
  occurredAt: string;
}

export interface WebhookSettings {
  /** Where facts are sent; null: nowhere yet (they wait in the outbox). */
  webhookUrl: string | null;
}

export const TIMESTAMP_HEADER = 'x-webhook-timestamp';
export const SIGNATURE_HEADER = 'x-webhook-signature';

const SETTINGS_KEY = 'fulfillment';
const POLL_MS = 500;
const BATCH = 20;
const REQUEST_TIMEOUT_MS = 5_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 15_000;
/** While one process sends a claimed notification, no other one picks it up. */
const CLAIM_MS = 30_000;

export const loadWebhookSettings = (q: Queryable, defaultUrl: string | null = null) =>
  loadSettings<WebhookSettings>(q, SETTINGS_KEY, { webhookUrl: defaultUrl });

export const saveWebhookSettings = (q: Queryable, settings: WebhookSettings) =>
  saveSettings(q, SETTINGS_KEY, settings);

/** `sha256=<hex>` of the HMAC over `<timestamp>.<body>`: what the platform recomputes. */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Retries of the n-th failed attempt wait 1 s, 2 s, 4 s, ... up to 15 s. */
export const retryDelayMs = (attempts: number): number =>
  Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);

interface Claimed {
  id: number;
  payload: FulfillmentFact;
  attempts: number;
}

type Outcome = { state: 'delivered' } | { state: 'rejected' | 'pending'; error: string };

export interface WebhookNotifier {
  /** Looks at the outbox now rather than at the next poll. */
  nudge(): void;
  stop(): Promise<void>;
}

export function startWebhookNotifier(options: {
  db: Db;
  /** Without a secret nothing is sent: an unsigned fact would be refused anyway. */
  secret: string | undefined;
  defaultUrl: string | undefined;
  log: Log;
}): WebhookNotifier {
  const { db, secret, log } = options;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const drain = async (): Promise<void> => {
    if (!secret) return;
    const { webhookUrl } = await loadWebhookSettings(db, options.defaultUrl ?? null);
    if (!webhookUrl) return;
    for (;;) {
      const batch = await claim(db);
      for (const notification of batch) {
        if (stopped) return;
        const outcome = await send(webhookUrl, secret, notification.payload);
        await settle(db, notification, outcome);
        if (outcome.state !== 'delivered') {
          log('warn', 'fulfilment webhook not accepted', {
            eventId: notification.payload.eventId,
            state: outcome.state,
            error: outcome.error,
          });
        }
      }
      if (batch.length < BATCH || stopped) return;
    }
  };

  const tick = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = drain()
      .catch((error: unknown) => log('warn', 'fulfilment webhook drain failed', { error }))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          tick();
        } else {
          timer = setTimeout(tick, POLL_MS);
        }
      });
  };
  tick();

  return {
    nudge: tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The due notifications whose shipment has no earlier one still pending, claimed for a while. */
async function claim(db: Db): Promise<Claimed[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Claimed>(
      `SELECT id, payload, attempts FROM fulfillment_notifications n
       WHERE state = 'pending' AND next_attempt_at <= clock_timestamp()
         AND NOT EXISTS (SELECT 1 FROM fulfillment_notifications e
                         WHERE e.shipment_id = n.shipment_id AND e.state = 'pending'
                           AND e.id < n.id)
       ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
    );
    if (rows.length > 0) {
      await tx.query(
        `UPDATE fulfillment_notifications
         SET next_attempt_at = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
         WHERE id = ANY($1::bigint[])`,
        [rows.map((row) => row.id), CLAIM_MS],
      );
    }
    return rows;
  });
}

async function send(url: string, secret: string, fact: FulfillmentFact): Promise<Outcome> {
  const body = JSON.stringify(fact);
  const timestamp = String(Math.floor(Date.now() / 1000));
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signatureOf(secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = `${response.status} ${(await response.text()).slice(0, 500)}`;
    if (response.ok) return { state: 'delivered' };
    const permanent =
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 408 &&
      response.status !== 429;
    return { state: permanent ? 'rejected' : 'pending', error: answer };
  } catch (error) {
    return { state: 'pending', error: error instanceof Error ? error.message : String(error) };
  }
}

async function settle(db: Db, notification: Claimed, outcome: Outcome): Promise<void> {
  const attempts = notification.attempts + 1;
  if (outcome.state === 'delivered') {
    await db.query(
      `UPDATE fulfillment_notifications
       SET state = 'delivered', attempts = $2, delivered_at = clock_timestamp(), last_error = NULL
       WHERE id = $1`,
      [notification.id, attempts],
    );
    return;
  }
  await db.query(
    `UPDATE fulfillment_notifications
     SET state = $2, attempts = $3, last_error = $4,
         next_attempt_at = clock_timestamp() + make_interval(secs => $5::float8 / 1000)
     WHERE id = $1`,
    [notification.id, outcome.state, attempts, outcome.error, retryDelayMs(attempts)],
  );
}
