/**
 * The comparator beside a signal bridge that is behind (issue 14: under load the bridge fell
 * minutes behind the mirror, and the platform's notification decisions, made only once its
 * workflow has followed the monolith, were declared missing before the platform had been told
 * what the monolith did). A monolith decision waits the grace from the bridge's hand-over of
 * its fact: while the bridge cannot reach Temporal nothing is declared missing in new; once it
 * hands the facts over, a decision the platform then makes is a match, and one it never makes
 * is missing in new after the grace. The other direction keeps its grace from the arrival.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { legacyEvent, lifecycleEvent, TOPICS } from '@order-platform/domain';
import { SIGNAL_BRIDGE_NAME } from '@order-platform/legacy-adapter';
import { AppsUnderTest, eventually, suiteEnv } from '@order-platform/tools';

const GRACE_MS = 2_000;

describe('the comparator waits for a platform that is behind, not declaring it silent', () => {
  const apps = new AppsUnderTest('comparator-follower');
  const orderId = `L-behind-${randomUUID().slice(0, 8)}`;
  let platformDb: PgClient;
  let producer: Producer;
  const adapterEnv = (temporalAddress: string) => ({
    BRIDGE: 'on',
    MIRROR_SOURCE: 'off',
    COMPARATOR_GRACE_MS: String(GRACE_MS),
    TEMPORAL_ADDRESS: temporalAddress,
  });

  beforeAll(async () => {
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    producer = new Kafka({
      clientId: 'comparator-follower-test',
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await apps.stopAll();
    await platformDb?.end();
  }, 60_000);

  const send = (topic: string, event: { orderId: string }) =>
    producer.send({ topic, messages: [{ key: orderId, value: JSON.stringify(event) }] });
  const at = () => new Date().toISOString();
  const told = (kind: 'confirmed' | 'shipped') =>
    legacyEvent(orderId, 'LegacyCustomerNotified', at(), {
      kind,
      sentBy: 'monolith',
    });
  const decided = (sequence: number, kind: string) =>
    lifecycleEvent(orderId, sequence, 'StageDecided', at(), {
      stage: 'notification',
      decision: { kind, notified: true },
      acted: false,
    });
  const outcomes = async () =>
    Object.fromEntries(
      (
        await platformDb.query<{ subject: string; outcome: string }>(
          `SELECT subject, outcome FROM stage_comparison WHERE order_id = $1 AND stage = 'notification'`,
          [orderId],
        )
      ).rows.map((row) => [row.subject, row.outcome]),
    );

  it('declares nothing missing in new until the bridge has handed the fact over and the grace has passed', async () => {
    // The bridge cannot reach Temporal: it holds its partitions, the platform hears nothing.
    await apps.start('legacy-adapter', 'adapter', adapterEnv('127.0.0.1:1'), 'live');
    // As the monolith's transactions write them: each notification after the change it tells
    // of, which the bridge must signal first (the notifications themselves it takes unsignalled).
    await send(TOPICS.legacyOrderEvents, legacyEvent(orderId, 'LegacyOrderAccepted', at(), {}));
    await send(TOPICS.legacyOrderEvents, told('confirmed'));
    await send(TOPICS.legacyOrderEvents, legacyEvent(orderId, 'LegacyOrderShipped', at(), {}));
    await send(TOPICS.legacyOrderEvents, told('shipped'));
    // A decision of the platform's alone: its grace runs from its arrival, as before.
    await send(TOPICS.orderLifecycle, decided(9, 'delivered'));
    await eventually('the sweep to judge the platform’s lone decision', async () =>
      (await outcomes()).delivered === 'missing-in-legacy' ? true : undefined,
    );
    // Three graces more: the monolith's decisions still wait, the platform was never told.
    await new Promise((resolve) => setTimeout(resolve, 3 * GRACE_MS));
    expect(await outcomes()).toEqual({
      confirmed: 'pending',
      shipped: 'pending',
      delivered: 'missing-in-legacy',
    });

    // The bridge reaches Temporal again and hands the facts over (no workflow follows this
    // order: the changes are parked); the platform then decides confirmed, late, never shipped.
    await apps.stop('adapter');
    await apps.start('legacy-adapter', 'adapter', adapterEnv(suiteEnv('TEMPORAL_ADDRESS')));
    await eventually('the bridge to hand both facts over', async () => {
      const { rowCount } = await platformDb.query(
        `SELECT 1 FROM inbox_event WHERE consumer = $1 AND event_id = ANY($2)`,
        [SIGNAL_BRIDGE_NAME, [told('confirmed').eventId, told('shipped').eventId]],
      );
      return rowCount === 2 ? true : undefined;
    });
    await send(TOPICS.orderLifecycle, decided(7, 'confirmed'));
    // The restarted comparator may sweep before it has read the platform's late decision; the
    // decision still turns the comparison into a match when it is read.
    const verdicts = await eventually('both monolith decisions judged', async () => {
      const now = await outcomes();
      return now.confirmed === 'match' && now.shipped !== 'pending' ? now : undefined;
    });
    expect(verdicts).toEqual({
      confirmed: 'match',
      shipped: 'missing-in-new',
      delivered: 'missing-in-legacy',
    });
  }, 180_000);
});
