/**
 * What changed in the status read's tables, as PostgreSQL announces it (the migration
 * NotifyOrderReadChanges1795432400000): the order's id, or "everything" when notifications may
 * have been missed (the listening connection was lost or has just been made) or a table was
 * truncated.
 */
import { Client } from 'pg';
import type { ConnectionLossLogger } from '../connection';

export const ORDER_READ_CHANGED_CHANNEL = 'order_read_changed';
/** What the migration made to announce; a rolled-back or disabled one leaves changes unsaid. */
const ANNOUNCING_TRIGGERS = [
  'order_status_read_changed',
  'order_status_read_truncated',
  'order_submission_read_changed',
  'order_submission_read_truncated',
];
const ANNOUNCING_TRIGGERS_SQL = `
  SELECT count(*)::int AS triggers FROM pg_trigger
   WHERE tgname = ANY($1) AND tgenabled <> 'D' AND NOT tgisinternal`;

/** An order's id, or `undefined` for "anything may have changed". */
export type OrderReadChange = (orderId: string | undefined) => void;

export interface OrderReadChanges {
  /** True only while every committed change is announced: caching is safe only then. */
  readonly listening: boolean;
  onChange(listener: OrderReadChange): void;
}

/**
 * LISTENs on its own connection and keeps listening: a lost connection stops `listening` at
 * once and announces "everything"; it is made again every `retryMs` until it succeeds, and the
 * first LISTEN after that announces "everything" again (what was committed meanwhile went
 * unannounced). A connection that dies silently (a network partition sends no reset) is found
 * by a query every `heartbeatMs` that must answer within as long; the same query checks that
 * the triggers which announce are still there and enabled.
 */
export class PostgresOrderReadChanges implements OrderReadChanges {
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly listeners: OrderReadChange[] = [];
  /** Warned since it last listened: a long outage is logged once. */
  private warned = false;
  listening = false;

  constructor(
    private readonly url: string,
    private readonly options: {
      applicationName: string;
      logger: ConnectionLossLogger & { info(message: string): void };
      retryMs?: number;
      heartbeatMs?: number;
    },
  ) {}

  onChange(listener: OrderReadChange): void {
    this.listeners.push(listener);
  }

  /** Starts listening; resolves once the first attempt has succeeded or failed. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.lose(client);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const heartbeatMs = this.options.heartbeatMs ?? 2_000;
    const client = new Client({
      connectionString: this.url,
      application_name: this.options.applicationName,
      query_timeout: heartbeatMs,
    });
    client.on('notification', (message) => {
      if (client === this.client && this.listening) this.announce(message.payload || undefined);
    });
    // Without a listener an 'error' would end the process; 'end' follows a lost connection.
    client.on('error', (error) => this.fail(client, 'connection lost', error));
    client.on('end', () => this.lose(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ORDER_READ_CHANGED_CHANNEL}`);
      await this.checkAnnounced(client);
    } catch (error) {
      this.fail(client, 'not listening, will try again', error);
      return;
    }
    if (client !== this.client || this.stopped) return;
    this.listening = true;
    this.warned = false;
    this.announce(undefined);
    this.options.logger.info('order read changes: listening');
    this.heartbeat = setInterval(() => {
      this.checkAnnounced(client).catch((error: unknown) =>
        this.fail(client, 'connection not answering, or changes no longer announced', error),
      );
    }, heartbeatMs);
  }

  /** Answers on the connection, and the triggers that announce are there and enabled. */
  private async checkAnnounced(client: Client): Promise<void> {
    const { rows } = await client.query<{ triggers: number }>(ANNOUNCING_TRIGGERS_SQL, [
      ANNOUNCING_TRIGGERS,
    ]);
    if (rows[0]?.triggers !== ANNOUNCING_TRIGGERS.length)
      throw new Error(
        `changes are not announced: triggers ${ANNOUNCING_TRIGGERS.join(', ')} missing or disabled (migration NotifyOrderReadChanges1795432400000)`,
      );
  }

  /** Gives the connection up (warning once per outage, not once per retry). */
  private fail(client: Client, what: string, error: unknown): void {
    if (client !== this.client) return;
    if (!this.warned) this.options.logger.warn(`order read changes: ${what}`, { error });
    this.warned = true;
    this.lose(client);
    void client.end().catch(() => undefined);
  }

  /** The connection is gone: nothing is announced until the next LISTEN. */
  private lose(client: Client | undefined): void {
    if (client === undefined || client !== this.client) return;
    this.client = undefined;
    this.listening = false;
    clearInterval(this.heartbeat);
    this.announce(undefined);
    if (!this.stopped)
      this.retry = setTimeout(() => void this.connect(), this.options.retryMs ?? 1_000);
  }

  private announce(orderId: string | undefined): void {
    for (const listener of this.listeners) listener(orderId);
  }
}
