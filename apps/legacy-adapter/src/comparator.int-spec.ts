/**
 * The comparator end to end: the monolith decides an order the old way, the order workflow
 * decides the same order on the real worker and simulators (started here for the monolith's
 * order id, as the signal bridge will), and the adapter's comparator, fed by the mirror and the
 * lifecycle topic, records a verdict per stage in PostgreSQL and reports disagreements on
 * `orders.mismatches.v1`. A deliberate rule difference in the monolith must show up on the
 * fraud stage, field `decision`; an ignore rule excuses it and counts the hit. Notifications
 * are compared once per order and kind, whatever order, how late and how often the two sides'
 * facts arrive.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client as PgClient } from 'pg';
import {
  legacyEvent,
  lifecycleEvent,
  type PlacedOrder,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import {
  AppsUnderTest,
  dropReplicationSlot,
  eventually,
  monolithCall as monolithCallAt,
  readTopic,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
} from '@order-platform/tools';

interface ComparisonRow {
  stage: string;
  outcome: string;
  differences: { field: string; legacy: unknown; new: unknown }[];
  ignored_by: string | null;
}

describe('the stage comparator on the real platform', () => {
  const apps = new AppsUnderTest('comparator');
  const suffix = randomUUID().slice(0, 8);
  const slot = `comparator_test_${suffix}`;
  const sku = `SKU-CMP-${suffix}`;
  /** The sku's price on the monolith's price list, which the platform's copy repeats. */
  const PRICE_CENTS = 1500;
  let monolith: string;
  let simulators: string;
  let platformDb: PgClient;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;
  let producer: Producer;

  beforeAll(async () => {
    simulators = await apps.downstream();
    monolith = await apps.start('legacy-monolith');
    await apps.start('legacy-adapter', 'legacy-adapter', {
      // This suite starts the workflows itself, as the signal bridge would.
      BRIDGE: 'off',
      MIRROR_SOURCE: 'cdc',
      MIRROR_SLOT: slot,
      MIRROR_PUBLICATION: slot,
      COMPARATOR_GRACE_MS: '2000',
    });
    await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 1000 });
    await monolithCall('PUT', `/stock/${sku}`, { onHand: 1000 });
    await monolithCall('PUT', `/products/${sku}`, { priceCents: PRICE_CENTS, currency: 'EUR' });
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
    producer = new Kafka({
      clientId: 'comparator-test',
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
  }, 240_000);

  afterAll(async () => {
    await monolithCall('PUT', '/settings/fraud', {}).catch(() => undefined);
    await platformDb?.query('DELETE FROM comparison_ignore_rule WHERE owner = $1', [
      `test-${suffix}`,
    ]);
    await closeTemporal?.();
    await producer?.disconnect();
    await apps.stopAll();
    await dropReplicationSlot(slot).catch(() => undefined);
    await platformDb?.end();
  }, 60_000);

  const monolithCall = (method: string, path: string, body?: unknown) =>
    monolithCallAt(monolith, method, path, body);

  /** The same order decided twice: by the monolith, and by a workflow started for its id. */
  async function decideOnBothSides(): Promise<string> {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const items = [{ sku, quantity: 2 }];
    const { orderId } = (await monolithCall('POST', '/orders', { customerId, items })) as {
      orderId: string;
    };
    const order: PlacedOrder = {
      orderId,
      customerId,
      segment: 'standard',
      items: items.map((line) => ({
        sku: line.sku,
        quantity: line.quantity,
        unitPriceMinor: PRICE_CENTS,
      })),
      currency: 'EUR',
      expedited: false,
      placedAt: new Date().toISOString(),
    };
    // By type name: the adapter (and its tests) reach workflows through Temporal, not their code.
    await temporal.workflow.start('orderLifecycle', {
      taskQueue: apps.taskQueue,
      workflowId: workflowIdForOrder(orderId),
      args: [order],
    });
    return orderId;
  }

  async function comparisonsOf(
    orderId: string,
    stages: string[],
  ): Promise<Map<string, ComparisonRow>> {
    return eventually(`verdicts on ${stages.join(', ')} of ${orderId}`, async () => {
      const { rows } = await platformDb.query<ComparisonRow>(
        `SELECT stage, outcome, differences, ignored_by::text AS ignored_by FROM stage_comparison
          WHERE order_id = $1 AND outcome <> 'pending'`,
        [orderId],
      );
      const byStage = new Map(rows.map((row) => [row.stage, row]));
      if (!stages.every((stage) => byStage.has(stage))) {
        throw new Error(`have ${JSON.stringify(rows)}`);
      }
      return byStage;
    });
  }

  it('finds the two sides agreeing on fraud, stock and payment for an ordinary order', async () => {
    const orderId = await decideOnBothSides();
    const verdicts = await comparisonsOf(orderId, ['fraud', 'inventory', 'payment']);
    expect(verdicts.get('fraud')).toMatchObject({ outcome: 'match', differences: [] });
    expect(verdicts.get('inventory')).toMatchObject({ outcome: 'match' });
    expect(verdicts.get('payment')).toMatchObject({ outcome: 'match' });
  });

  it('catches a rule difference in the monolith on the fraud stage, field decision, and reports it', async () => {
    // The monolith now rejects anything above 10.00; the workflow's fraud provider approves.
    await monolithCall('PUT', '/settings/fraud', { divergence: { rejectAboveCents: 1000 } });
    const orderId = await decideOnBothSides();
    const verdicts = await comparisonsOf(orderId, ['fraud', 'payment']);
    expect(verdicts.get('fraud')).toMatchObject({
      outcome: 'mismatch',
      differences: [{ field: 'decision', legacy: 'reject', new: 'approve' }],
      ignored_by: null,
    });
    // The monolith never authorized: after the grace window, missing on its side.
    expect(verdicts.get('payment')).toMatchObject({ outcome: 'missing-in-legacy' });

    const reported = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: TOPICS.orderMismatches,
      accept: (record) => record.key === orderId,
      until: (accepted) => accepted.some((r) => JSON.parse(r.value).stage === 'fraud'),
    });
    expect(
      JSON.parse(reported.find((r) => JSON.parse(r.value).stage === 'fraud')!.value),
    ).toMatchObject({
      mismatchId: `${orderId}:fraud:mismatch`,
      outcome: 'mismatch',
      differences: [{ field: 'decision', legacy: 'reject', new: 'approve' }],
    });
  });

  it('excuses a known difference with a live ignore rule and counts the hit', async () => {
    const {
      rows: [rule],
    } = await platformDb.query<{ id: string }>(
      `INSERT INTO comparison_ignore_rule (stage, field, reason, owner, expires_at)
       VALUES ('fraud', 'decision', 'the monolith''s stricter limit is being retired', $1, now() + interval '1 day')
       RETURNING id::text AS id`,
      [`test-${suffix}`],
    );
    // The comparator reads ignore rules at most every few seconds.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await monolithCall('PUT', '/settings/fraud', { divergence: { rejectAboveCents: 1000 } });
    const orderId = await decideOnBothSides();
    const verdicts = await comparisonsOf(orderId, ['fraud']);
    expect(verdicts.get('fraud')).toMatchObject({ outcome: 'mismatch', ignored_by: rule!.id });
    const { rows } = await platformDb.query(
      'SELECT hit_count::int AS hits FROM comparison_ignore_rule WHERE id = $1',
      [rule!.id],
    );
    expect(rows[0].hits).toBeGreaterThanOrEqual(1);
  });

  it('compares notifications once per order and kind: repeats and late facts change nothing, a kind one side never sent is missing', async () => {
    const orderId = `L-notify-${suffix}`;
    const at = new Date().toISOString();
    const send = (topic: string, event: { orderId: string }) =>
      producer.send({ topic, messages: [{ key: orderId, value: JSON.stringify(event) }] });
    const told = (kind: 'confirmed' | 'shipped' | 'delivered') =>
      legacyEvent(orderId, 'LegacyCustomerNotified', at, { kind, sentBy: 'monolith' });
    const decided = (sequence: number, kind: string) =>
      lifecycleEvent(orderId, sequence, 'StageDecided', at, {
        stage: 'notification',
        decision: { kind, notified: true },
        acted: false,
      });
    const notificationRows = async () =>
      (
        await platformDb.query<{ subject: string; outcome: string }>(
          `SELECT subject, outcome FROM stage_comparison
            WHERE order_id = $1 AND stage = 'notification' ORDER BY subject`,
          [orderId],
        )
      ).rows;

    // The platform's decision on confirmed arrives first, the monolith's after it, twice (a replay
    // of the mirror); shipped comes from the monolith only, delivered from the platform only.
    await send(TOPICS.orderLifecycle, decided(7, 'confirmed'));
    await send(TOPICS.legacyOrderEvents, told('confirmed'));
    await send(TOPICS.legacyOrderEvents, told('confirmed'));
    await send(TOPICS.legacyOrderEvents, told('shipped'));
    // The monolith's mention of the order makes the platform's lone decision one to wait for.
    await send(TOPICS.orderLifecycle, decided(9, 'delivered'));
    const verdicts = await eventually('every kind judged', async () => {
      const rows = await notificationRows();
      return rows.length === 3 && rows.every((row) => row.outcome !== 'pending') ? rows : undefined;
    });
    expect(verdicts).toEqual([
      { subject: 'confirmed', outcome: 'match' },
      { subject: 'delivered', outcome: 'missing-in-legacy' },
      { subject: 'shipped', outcome: 'missing-in-new' },
    ]);

    // Late and repeated: the same facts again after the verdicts are already in.
    await send(TOPICS.legacyOrderEvents, told('confirmed'));
    await send(TOPICS.orderLifecycle, decided(7, 'confirmed'));
    const reported = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: TOPICS.orderMismatches,
      accept: (record) => record.key === orderId,
      until: (accepted) => accepted.length >= 2,
    });
    expect(reported.map((record) => JSON.parse(record.value).mismatchId).sort()).toEqual([
      `${orderId}:notification:delivered:missing-in-legacy`,
      `${orderId}:notification:shipped:missing-in-new`,
    ]);
    // The inbox took the repeats as already seen: nothing was judged twice.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await notificationRows()).toEqual(verdicts);
  });

  it('drops what it declared missing in new once a late workflow says the monolith alone decided that stage', async () => {
    const orderId = `L-late-${suffix}`;
    const at = new Date().toISOString();
    const send = (topic: string, event: { orderId: string }) =>
      producer.send({ topic, messages: [{ key: orderId, value: JSON.stringify(event) }] });
    const rows = async () =>
      (
        await platformDb.query<{ stage: string; subject: string; outcome: string }>(
          `SELECT stage, subject, outcome FROM stage_comparison WHERE order_id = $1
            ORDER BY stage, subject`,
          [orderId],
        )
      ).rows;
    await send(
      TOPICS.legacyOrderEvents,
      legacyEvent(orderId, 'LegacyCustomerNotified', at, { kind: 'confirmed', sentBy: 'monolith' }),
    );
    await send(
      TOPICS.legacyOrderEvents,
      legacyEvent(orderId, 'LegacyFraudDecided', at, {
        decision: 'approve',
        decidedBy: 'rules',
        score: 1,
      }),
    );
    // Its workflow lags past the grace: nobody knows yet that notification stayed with the monolith.
    await eventually('both declared missing in new', async () => {
      const now = await rows();
      return now.length === 2 && now.every((row) => row.outcome === 'missing-in-new')
        ? now
        : undefined;
    });
    await send(
      TOPICS.orderLifecycle,
      lifecycleEvent(orderId, 1, 'OrderAccepted', at, {
        origin: 'legacy-monolith',
        routes: {
          fraud: 'shadow',
          inventory: 'legacy',
          payment: 'legacy',
          fulfilment: 'legacy',
          notification: 'legacy',
        },
      }),
    );
    // Notification was never expected from the platform; fraud was, and stays missing.
    await eventually('the legacy-routed one dropped', async () => {
      const now = await rows();
      return now.length === 1 ? now : undefined;
    });
    expect(await rows()).toEqual([{ stage: 'fraud', subject: '', outcome: 'missing-in-new' }]);
  });

  it('applies the routes of several orders in one batch, and meets a decision sent before its OrderAccepted as one by one', async () => {
    const [first, second] = [`L-batch-a-${suffix}`, `L-batch-b-${suffix}`];
    const at = new Date().toISOString();
    const rows = async (orderId: string) =>
      (
        await platformDb.query<{ stage: string; outcome: string }>(
          `SELECT stage, outcome FROM stage_comparison WHERE order_id = $1 ORDER BY stage`,
          [orderId],
        )
      ).rows;
    const notified = (orderId: string) =>
      legacyEvent(orderId, 'LegacyCustomerNotified', at, { kind: 'confirmed', sentBy: 'monolith' });
    await producer.send({
      topic: TOPICS.legacyOrderEvents,
      messages: [
        { key: first, value: JSON.stringify(notified(first)) },
        { key: second, value: JSON.stringify(notified(second)) },
        {
          key: second,
          value: JSON.stringify(
            legacyEvent(second, 'LegacyFraudDecided', at, {
              decision: 'approve',
              decidedBy: 'rules',
              score: 1,
            }),
          ),
        },
      ],
    });
    // Both workflows lag past the grace.
    await eventually('every monolith decision declared missing in new', async () => {
      const [a, b] = [await rows(first), await rows(second)];
      return a.length === 1 &&
        b.length === 2 &&
        [...a, ...b].every((r) => r.outcome === 'missing-in-new')
        ? true
        : undefined;
    });
    const accepted = (orderId: string, fraud: string) =>
      lifecycleEvent(orderId, 1, 'OrderAccepted', at, {
        origin: 'legacy-monolith',
        routes: {
          fraud,
          inventory: 'legacy',
          payment: 'legacy',
          fulfilment: 'legacy',
          notification: 'legacy',
        },
      });
    // One partition, one send: one batch holding both orders' OrderAccepted, and the second
    // order's fraud decision ahead of its own (the platform decided; its acceptance came late).
    await producer.send({
      topic: TOPICS.orderLifecycle,
      messages: [
        { partition: 0, key: first, value: JSON.stringify(accepted(first, 'shadow')) },
        {
          partition: 0,
          key: second,
          value: JSON.stringify(lifecycleEvent(second, 2, 'FraudApproved', at)),
        },
        { partition: 0, key: second, value: JSON.stringify(accepted(second, 'legacy')) },
      ],
    });
    // The notifications stayed with the monolith: dropped for both. The second order's fraud
    // decision met the monolith's before its routes arrived, so the pair was compared; routes
    // drop only what the platform never decided.
    await eventually('the legacy-routed rows dropped', async () =>
      (await rows(first)).length === 0 && (await rows(second)).length === 1 ? true : undefined,
    );
    expect(await rows(second)).toEqual([{ stage: 'fraud', outcome: 'match' }]);
  });
});
