/**
 * The mirror end to end on the real stack: the sample monolith and the legacy adapter started as
 * processes, orders placed over the monolith's HTTP API, and what reaches
 * `legacy.order-events.v1` (and its dead-letter topic) read back from the broker. Both sources:
 * the transaction log (logical replication, pgoutput) and the outbox. Each suite run uses its
 * own replication slot and publication, and each test its own customers and skus.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import {
  deadLetterTopic,
  type LegacyEvent,
  legacyEventId,
  legacyFactDiscriminator,
  TOPICS,
} from '@order-platform/domain';
import {
  AppsUnderTest,
  eventually,
  readTopic,
  type TopicRecord,
  suiteEnv,
  dropReplicationSlot,
  monolithCall as monolithCallAt,
  MONOLITH_ACCEPTED_FACTS,
} from '@order-platform/tools';

describe('the mirror of the monolith into Kafka', () => {
  const apps = new AppsUnderTest('legacy-mirror');
  const suffix = randomUUID().slice(0, 8).replace(/-/g, '');
  // The mirror alone: no comparator or bridge consumers to rejoin their groups after a crash.
  const cdcEnv = {
    BRIDGE: 'off',
    COMPARATOR: 'off',
    MIRROR_SOURCE: 'cdc',
    MIRROR_SLOT: `mirror_test_${suffix}`,
    MIRROR_PUBLICATION: `mirror_test_${suffix}`,
  };
  let monolith: string;
  let legacyDb: PgClient;

  beforeAll(async () => {
    monolith = await apps.start('legacy-monolith');
    legacyDb = new PgClient({ connectionString: suiteEnv('LEGACY_DATABASE_URL') });
    await legacyDb.connect();
  }, 240_000);

  afterAll(async () => {
    await apps.stopAll();
    await dropReplicationSlot(cdcEnv.MIRROR_SLOT).catch(() => undefined);
    await legacyDb?.end();
  }, 60_000);

  const monolithCall = (method: string, path: string, body?: unknown) =>
    monolithCallAt(monolith, method, path, body);

  /** A product on the monolith's price list at 19.99, with stock on hand. */
  async function stock(sku: string, onHand: number): Promise<void> {
    await monolithCall('PUT', `/stock/${sku}`, { onHand });
    await monolithCall('PUT', `/products/${sku}`, { priceCents: 1999, currency: 'EUR' });
  }

  async function placeOrder(sku: string, totalUnits = 1): Promise<string> {
    const reply = await monolithCall('POST', '/orders', {
      customerId: `c-${randomUUID().slice(0, 8)}`,
      items: [{ sku, quantity: totalUnits }],
    });
    return reply.orderId as string;
  }

  const factsOf = (records: TopicRecord[], orderId: string) =>
    records.filter((r) => r.key === orderId).map((r) => JSON.parse(r.value) as LegacyEvent);

  /** Reads the topic until every order has shown its `last` fact. */
  const untilEvery = (orderIds: string[], last: string) =>
    readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: TOPICS.legacyOrderEvents,
      accept: (r) => orderIds.includes(r.key ?? ''),
      until: (accepted) =>
        orderIds.every((id) => factsOf(accepted, id).some((e) => e.eventType === last)),
    });

  it('streams the transaction log: every fact of an order, in order, on one partition, nothing lost across a crash', async () => {
    const sku = `SKU-CDC-${suffix}`;
    await stock(sku, 1000);
    await apps.start('legacy-adapter', 'adapter-cdc', cdcEnv);
    // Ready means mirroring: the slot exists, so the orders placed from now on are streamed.
    const slot = await legacyDb.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
      cdcEnv.MIRROR_SLOT,
    ]);
    expect(slot.rowCount).toBe(1);

    const before = [await placeOrder(sku), await placeOrder(sku)];
    await monolithCall('POST', `/orders/${before[0]}/ship`);
    await monolithCall('POST', `/orders/${before[0]}/deliver`);
    await monolithCall('POST', `/orders/${before[1]}/cancel`, { reason: 'changed my mind' });

    // A crash mid-stream: orders keep arriving while the adapter is down.
    const during: string[] = [];
    const placing = (async () => {
      for (let i = 0; i < 10; i++) during.push(await placeOrder(sku));
    })();
    await apps.kill('adapter-cdc');
    await placing;
    await apps.start('legacy-adapter', 'adapter-cdc', cdcEnv);

    const records = await untilEvery([...before, ...during], 'LegacyCustomerNotified');
    const delivered = await untilEvery([before[0]!], 'LegacyOrderDelivered');
    const cancelled = await untilEvery([before[1]!], 'LegacyPaymentVoided');

    const types = (events: LegacyEvent[]) => [...new Set(events.map((e) => e.eventType))];
    expect(types(factsOf(delivered, before[0]!))).toEqual([
      ...MONOLITH_ACCEPTED_FACTS,
      'LegacyOrderShipped',
      'LegacyPaymentCaptured',
      'LegacyOrderDelivered',
    ]);
    expect(types(factsOf(cancelled, before[1]!))).toEqual([
      ...MONOLITH_ACCEPTED_FACTS,
      'LegacyOrderCancelled',
      'LegacyStockReleased',
      'LegacyPaymentVoided',
    ]);
    for (const orderId of during) {
      const facts = factsOf(records, orderId);
      // Nothing lost; a fact resent after the crash carries the same id, so it is recognisable.
      expect(types(facts)).toEqual(MONOLITH_ACCEPTED_FACTS);
      expect(
        facts.every(
          (e) =>
            e.eventId ===
            legacyEventId(orderId, e.eventType, legacyFactDiscriminator(e.eventType, e.payload)),
        ),
      ).toBe(true);
      expect(
        facts.filter((e) => e.eventType === 'LegacyCustomerNotified').map((e) => e.eventId),
      ).toContain(`legacy-monolith:${orderId}:LegacyCustomerNotified:confirmed`);
      expect(new Set(records.filter((r) => r.key === orderId).map((r) => r.partition)).size).toBe(
        1,
      );
    }
    const placed = factsOf(records, during[0]!).find((e) => e.eventType === 'LegacyOrderPlaced')!;
    expect(placed.payload).toMatchObject({
      lines: [{ sku, quantity: 1, unitPriceMinor: 1999 }],
      totalMinor: 1999,
      currency: 'EUR',
    });
    await apps.kill('adapter-cdc');
  });

  it('puts a row it cannot map on the dead-letter topic with the reason, and the stream goes on', async () => {
    const sku = `SKU-POISON-${suffix}`;
    await stock(sku, 10);
    await apps.start('legacy-adapter', 'adapter-cdc', cdcEnv);
    // Written behind the monolith's back: a currency the platform cannot read.
    const poison = `L-poison-${suffix}`;
    await legacyDb.query('BEGIN');
    await legacyDb.query(
      `INSERT INTO monolith.orders (order_id, customer_id, status, total_cents, currency)
       VALUES ($1, 'c-poison', 'PENDING_FRAUD', 100, 'euro')`,
      [poison],
    );
    await legacyDb.query(
      `INSERT INTO monolith.order_lines (order_id, line_no, sku, quantity, unit_price_cents)
       VALUES ($1, 1, $2, 1, 100)`,
      [poison, sku],
    );
    await legacyDb.query('COMMIT');
    const after = await placeOrder(sku);

    const dead = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      accept: (r) => r.value.includes(poison),
      until: (accepted) => accepted.length > 0,
    });
    expect(dead[0]!.headers).toMatchObject({
      'x-dlq-reason': 'currency: not an ISO 4217 code',
      'x-mirror-source': 'cdc',
      'x-source-position': expect.stringMatching(/^lsn:/),
    });
    const flowing = await untilEvery([after], 'LegacyCustomerNotified');
    expect(factsOf(flowing, after).map((e) => e.eventType)).toEqual(MONOLITH_ACCEPTED_FACTS);
    await apps.kill('adapter-cdc');
  });

  it('watches its replication slot: lag, WAL retained, age and position on /metrics; degraded past a threshold', async () => {
    const adapter = await apps.start('legacy-adapter', 'adapter-slot', {
      ...cdcEnv,
      // Any unconfirmed byte is too many: the cluster's own writes put the slot over it.
      MIRROR_SLOT_LAG_WARN_BYTES: '1',
      MIRROR_SLOT_CHECK_MS: '200',
    });
    const slot = cdcEnv.MIRROR_SLOT;
    // The mirror stuck: its walsender (a backend of the test's own PostgreSQL) stopped, so the WAL
    // written below stays unconfirmed for as long as it takes. (Racing a running mirror was
    // hopeless on an idle machine: it confirmed every write before a check could see it.)
    const walsender = await eventually('the mirror streaming its slot', async () => {
      const { rows } = await legacyDb.query<{ pid: number | null }>(
        'SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      return rows[0]?.pid ?? undefined;
    });
    process.kill(walsender, 'SIGSTOP');
    let readiness: { status: string; checks: Record<string, { status: string; error?: string }> };
    try {
      await legacyDb.query(
        `SELECT count(pg_logical_emit_message(false, 'churn', repeat('x', 100)))
           FROM generate_series(1, 100)`,
      );
      const deadline = Date.now() + 30_000;
      do {
        readiness = (await (await fetch(`${adapter}/health/ready`)).json()) as typeof readiness;
        if (readiness.status === 'degraded') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (Date.now() < deadline);
    } finally {
      process.kill(walsender, 'SIGCONT');
    }
    const metrics = await (await fetch(`${adapter}/metrics`)).text();
    await apps.kill('adapter-slot');
    expect(readiness.checks.mirror).toEqual({
      status: 'degraded',
      // The only adapter on its slot leads.
      detail: 'leader',
      error: expect.stringMatching(
        new RegExp(`^replication slot ${slot} lagging: \\d+ bytes unconfirmed \\(threshold 1\\)`),
      ),
    });
    for (const metric of [
      'order_platform_mirror_slot_lag_bytes',
      'order_platform_mirror_slot_retained_wal_bytes',
      'order_platform_mirror_slot_age_seconds',
      'order_platform_mirror_slot_confirmed_lsn_bytes',
      'order_platform_mirror_slot_active',
      'order_platform_mirror_slot_lag_warn_bytes',
    ]) {
      expect(metrics).toMatch(new RegExp(`^${metric}\\{slot="${slot}"\\} \\d+`, 'm'));
    }
  });

  it('polls the outbox instead when configured, marking rows published only once Kafka has them', async () => {
    const sku = `SKU-OUTBOX-${suffix}`;
    await stock(sku, 100);
    // Start from what is unpublished now: earlier tests' rows are fine to publish again too.
    const orders = [await placeOrder(sku), await placeOrder(sku)];
    await legacyDb.query(
      `INSERT INTO monolith.outbox (aggregate_id, event_type, payload)
       VALUES ($1, 'OrderTeleported', '{}'::jsonb)`,
      [`L-teleport-${suffix}`],
    );
    await monolithCall('POST', `/orders/${orders[1]}/cancel`, { reason: 'no longer needed' });
    await apps.start('legacy-adapter', 'adapter-outbox', {
      BRIDGE: 'off',
      COMPARATOR: 'off',
      MIRROR_SOURCE: 'outbox',
    });

    const records = await untilEvery(orders, 'LegacyCustomerNotified');
    expect([...new Set(factsOf(records, orders[0]!).map((e) => e.eventType))]).toEqual(
      MONOLITH_ACCEPTED_FACTS,
    );
    const cancelled = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: TOPICS.legacyOrderEvents,
      accept: (r) => r.key === orders[1],
      until: (accepted) =>
        factsOf(accepted, orders[1]!).some(
          (e) => e.eventId === `legacy-monolith:${orders[1]}:LegacyCustomerNotified:cancelled`,
        ),
    });
    const facts = factsOf(cancelled, orders[1]!);
    // In outbox order: earlier tests left rows unpublished, so the ids run past 9 and a text
    // ordering would publish row 10 before row 9. (A batch is sent in lifecycle order per
    // order, so the notifications, last in it, may follow the cancellation.)
    expect([
      ...new Set(
        facts.filter((e) => e.eventType !== 'LegacyCustomerNotified').map((e) => e.eventType),
      ),
    ]).toEqual([
      ...MONOLITH_ACCEPTED_FACTS.filter((type) => type !== 'LegacyCustomerNotified'),
      'LegacyOrderCancelled',
      'LegacyStockReleased',
      'LegacyPaymentVoided',
    ]);
    expect(
      [
        ...new Set(
          facts
            .filter((e) => e.eventType === 'LegacyCustomerNotified')
            .map((e) => (e.payload as { kind: string }).kind),
        ),
      ].sort(),
    ).toEqual(['cancelled', 'confirmed']);
    const dead = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      accept: (r) => r.value.includes(`L-teleport-${suffix}`),
      until: (accepted) => accepted.length > 0,
    });
    expect(dead[0]!.headers).toMatchObject({
      'x-dlq-reason': 'event type OrderTeleported: unknown to the mapping',
      'x-mirror-source': 'outbox',
    });
    const unpublished = await legacyDb.query(
      `SELECT count(*)::int AS n FROM monolith.outbox WHERE aggregate_id = ANY($1) AND published_at IS NULL`,
      [orders],
    );
    expect(unpublished.rows[0].n).toBe(0);
  });
});
