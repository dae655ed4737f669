/**
 * The fault-injection suite (`npm run test:faults`): the whole platform as processes on the real
 * stack (monolith, mirror, signal bridge and comparator in the legacy adapter, worker,
 * simulators), fraud, inventory and payment shadowed so the comparator has both sides to judge,
 * and for each fault a steady stream of orders that the fault hits mid-way. Each fault is
 * judged by the same audit (fault-audit.ts, on the shared invariant rules of tools/src/verify)
 * and adds a row to the table printed at the end.
 * The stack's Temporal dev server keeps its state in SQLite in the stack's folder, with or
 * without `--ephemeral` (that only turns fsync off for PostgreSQL), so a restart keeps it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  deadLetterTopic,
  LEGACY_FACT_SIGNAL,
  LEGACY_FACT_TYPES,
  type LegacyEvent,
  legacyEvent,
  legacyEventId,
  legacyFactDiscriminator,
  lifecycleEvent,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import type { Payload } from '@temporalio/common';
import { AppsUnderTest, simulatorCall } from '../testing/apps-under-test';
import { eventually } from '../testing/eventually';
import { dropReplicationSlot, monolithCall } from '../testing/legacy-monolith';
import { suiteDataConverter, suiteEnv, suiteTemporal } from '../testing/suite-env';
import { readTopic } from '../testing/topic-reader';
import { REPO_ROOT } from '../stack/versions';
import { startStackService, type StackService, stopStackService } from '../stack/stack';
import { auditFollowedOrders, auditMonolithOrders, auditPlatformOrders } from './fault-audit';
import { emptyFindings, type Findings } from './findings';
import { type FaultWorld, readModelStages, SHADOWED_STAGES, waitUntilSettled } from './settling';
import { type FaultOutcome, type FaultRow, faultTable, rowOf, runFault } from './fault-run';
import {
  MonolithOrderStream,
  PlatformOrderStream,
  STREAM_UNIT_PRICE_MINOR,
  type StreamedOrder,
} from './order-streams';

const STOCK = 1_000;
/** Each fault's test: stream, fault, recovery window and audit. */
const FAULT_TIMEOUT_MS = 300_000;
jest.setTimeout(FAULT_TIMEOUT_MS);

/** The long outages, as the issue gives them: Temporal three minutes, Kafka two. */
const TEMPORAL_OUTAGE_MS = 180_000;
const KAFKA_OUTAGE_MS = 120_000;
/** A long outage's test: stream, outage, a longer recovery window (180 s) and the audit. */
const LONG_FAULT_TIMEOUT_MS = 720_000;

const execFileAsync = promisify(execFile);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What `npm run dlq -- replay` prints. */
interface ReplayOutcome {
  replayed: string[];
  notFound: string[];
  notReplayable: string[];
}

describe('faults during a steady stream of orders', () => {
  const apps = new AppsUnderTest('faults');
  const suffix = randomUUID().slice(0, 8);
  const slot = `faults_${suffix}`;
  const adapterEnv = {
    MIRROR_SOURCE: 'cdc',
    MIRROR_SLOT: slot,
    MIRROR_PUBLICATION: slot,
    // Long enough that a backlog after an outage is judged, not declared missing.
    COMPARATOR_GRACE_MS: '120000',
  };
  const rows: FaultRow[] = [];
  let world: FaultWorld;
  let monolith: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let producer: Producer;

  beforeAll(async () => {
    const pool = (url: string) => {
      const created = new Pool({ connectionString: url, max: 4 });
      // PostgreSQL restarts under this suite: a dropped idle connection is not a failure.
      created.on('error', () => undefined);
      return created;
    };
    const platformDb = pool(suiteEnv('DATABASE_URL'));
    // Shadow before any workflow starts: each reads its routes when it begins.
    await platformDb.query(
      `UPDATE stage_route SET mode = 'shadow', new_percent = 100 WHERE stage = ANY($1)`,
      [SHADOWED_STAGES],
    );
    monolith = await apps.start('legacy-monolith');
    const simulatorsUrl = await apps.downstream({ MONOLITH_URL: monolith });
    await apps.start('legacy-adapter', 'legacy-adapter', adapterEnv);
    await simulatorCall(simulatorsUrl, 'PUT', '/fraud/settings', {});
    await simulatorCall(simulatorsUrl, 'PUT', '/payments/settings', {});
    await monolithCall(monolith, 'PUT', '/settings/fraud', {});
    const temporal = await suiteTemporal();
    closeTemporal = temporal.close;
    const kafka = new Kafka({
      clientId: 'fault-injector',
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
    world = {
      simulatorsUrl,
      temporal: temporal.client,
      platformDb,
      legacyDb: pool(suiteEnv('LEGACY_DATABASE_URL')),
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
    };
  }, 240_000);

  afterAll(async () => {
    const table = faultTable(rows);
    process.stdout.write(`\nfault injection (${rows.length} faults)\n${table}\n`);
    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'test-artifacts', 'faults.md'), `${table}\n`);
    await producer?.disconnect().catch(() => undefined);
    await closeTemporal?.();
    await apps.stopAll();
    await dropReplicationSlot(slot).catch(() => undefined);
    await world?.platformDb.end();
    await world?.legacyDb.end();
  }, 60_000);

  // --- the faults ----------------------------------------------------------------------------

  it('the worker killed with SIGKILL in the middle of activities, then restarted', async () => {
    // A slow payment gateway keeps activities in flight when the kill lands.
    await simulator('PUT', '/payments/settings', { latencyMs: 400 });
    const platform = await platformStream('worker');
    const { outcome, findings } = await judge('worker SIGKILL', {
      platform,
      count: 12,
      intervalMs: 250,
      injectAfter: 4,
      inject: async () => {
        await apps.kill('worker');
        await pause(1_000);
        await apps.start('worker', 'worker', appEnvs().worker);
        await simulator('PUT', '/payments/settings', {});
      },
    });
    expect(outcome.inFlight).toBeGreaterThan(0);
    expect(findings).toEqual(emptyFindings());
  });

  it('the Temporal dev server restarted', async () => {
    const { findings } = await judge('Temporal restart', {
      platform: await platformStream('temporal'),
      legacy: await monolithStream('temporal'),
      count: 10,
      intervalMs: 300,
      injectAfter: 3,
      inject: () => restart('temporal', 1_000),
    });
    expect(findings).toEqual(emptyFindings());
  });

  it('the Kafka broker stopped and restarted while the mirror and the comparator run', async () => {
    const { findings } = await judge('Kafka restart', {
      platform: await platformStream('kafka'),
      legacy: await monolithStream('kafka'),
      count: 10,
      intervalMs: 300,
      injectAfter: 3,
      inject: () => restart('kafka', 2_000),
    });
    expect(findings).toEqual(emptyFindings());
  });

  it('the legacy adapter killed mid-batch, then restarted', async () => {
    const { findings } = await judge('legacy adapter SIGKILL', {
      legacy: await monolithStream('adapter'),
      // A burst: the mirror is mid-batch when the kill lands.
      count: 20,
      intervalMs: 40,
      injectAfter: 6,
      inject: async () => {
        await apps.kill('legacy-adapter');
        await pause(1_000);
        await apps.start('legacy-adapter', 'legacy-adapter', appEnvs()['legacy-adapter']);
      },
    });
    expect(findings).toEqual(emptyFindings());
  });

  it('PostgreSQL restarted under load', async () => {
    let stoppedHow = 'fast';
    const { findings } = await judge('PostgreSQL restart', {
      platform: await platformStream('postgres'),
      legacy: await monolithStream('postgres'),
      count: 10,
      intervalMs: 300,
      injectAfter: 3,
      inject: async () => {
        const stateDir = suiteEnv('ORDER_TEST_STACK_DIR');
        // A fast shutdown waits for the logical walsender to hand over its WAL, which a busy
        // mirror can hold up; past that it is stopped the hard way, as a crash would.
        await stopStackService(stateDir, 'postgres', { mode: 'fast', timeoutSeconds: 20 }).catch(
          () => {
            stoppedHow = 'immediate';
            return stopStackService(stateDir, 'postgres', { mode: 'immediate' });
          },
        );
        await pause(1_000);
        await startStackService(stateDir, 'postgres');
      },
    });
    if (stoppedHow === 'immediate') rows.at(-1)!.fault += ' (fast stop hung: immediate)';
    expect(findings).toEqual(emptyFindings());
  });

  it('duplicated, reordered and poison events injected into the topics', async () => {
    const legacy = await monolithStream('events');
    const platform = await platformStream('events');
    const marker = `fault-poison-${suffix}`;
    const injected: StreamedOrder[] = [];
    const { findings } = await judge(
      'duplicate, reordered, poison events',
      {
        legacy,
        platform,
        count: 8,
        intervalMs: 300,
        injectAfter: 2,
        inject: async () => {
          const [first] = legacy.accepted;
          const facts = await mirroredFacts(first!.orderId);
          // Duplicates: the whole history again, twice, as a replaying producer would send it.
          await produce(TOPICS.legacyOrderEvents, [...facts, ...facts]);
          const lifecycle = await lifecycleRecordsOf(platform.accepted[0]!.orderId);
          await produce(TOPICS.orderLifecycle, lifecycle);
          // Reordered: the same facts for orders the platform has not seen, out of order;
          // once with the order's placement first, once with it last.
          for (const [label, order] of [
            [
              'placed-first',
              [
                'LegacyOrderPlaced',
                'LegacyOrderAccepted',
                'LegacyPaymentAuthorized',
                'LegacyStockReserved',
                'LegacyFraudDecided',
              ],
            ],
            [
              'placed-last',
              [
                'LegacyOrderAccepted',
                'LegacyPaymentAuthorized',
                'LegacyStockReserved',
                'LegacyFraudDecided',
                'LegacyOrderPlaced',
              ],
            ],
          ] as const) {
            const orderId = `L-reordered-${label}-${suffix}`;
            await produce(
              TOPICS.legacyOrderEvents,
              order.map((type) =>
                asOrder(
                  facts.find((f) => f.eventType === type)!,
                  orderId,
                ),
              ),
            );
            injected.push({ ...first!, orderId });
          }
          // Poison: not JSON, not an envelope, a fact type nobody knows.
          await producer.send({
            topic: TOPICS.legacyOrderEvents,
            messages: [
              { key: `${marker}-1`, value: `{not json ${marker}-1` },
              { key: `${marker}-2`, value: JSON.stringify({ marker: `${marker}-2` }) },
              {
                key: `${marker}-3`,
                value: JSON.stringify({
                  ...facts[0],
                  eventId: `${marker}-3`,
                  orderId: `${marker}-3`,
                  eventType: 'LegacyOrderTeleported',
                }),
              },
            ],
          });
          await producer.send({
            topic: TOPICS.orderLifecycle,
            messages: [{ key: `${marker}-4`, value: `{not json ${marker}-4` }],
          });
        },
      },
      async (f) => {
        // The injected orders too: followed to rest, judged once per stage. They were injected
        // before the stream's recovery window opened, so a short extra wait is enough.
        await waitUntilSettled(world, injected, 15_000);
        await auditFollowedOrders(world, injected, f);
      },
    );
    // Each poison message parked with its reason by every consumer that could not read it.
    const parked = {
      legacy: await deadLetters(deadLetterTopic(TOPICS.legacyOrderEvents), marker, 6),
      lifecycle: await deadLetters(deadLetterTopic(TOPICS.orderLifecycle), marker, 1),
    };
    expect({ findings, parked }).toEqual({
      findings: emptyFindings(),
      parked: {
        legacy: expect.arrayContaining([
          { key: `${marker}-1`, consumer: 'legacy-signal-bridge', poison: true },
          { key: `${marker}-1`, consumer: 'stage-comparator', poison: true },
          { key: `${marker}-2`, consumer: 'legacy-signal-bridge', poison: true },
          { key: `${marker}-2`, consumer: 'stage-comparator', poison: true },
          { key: `${marker}-3`, consumer: 'legacy-signal-bridge', poison: true },
          // An unknown fact type is against the contract the comparator checks too.
          { key: `${marker}-3`, consumer: 'stage-comparator', poison: true },
        ]),
        lifecycle: [{ key: `${marker}-4`, consumer: 'stage-comparator', poison: true }],
      },
    });
  });

  it('a downstream simulator answering slowly, then with errors, then recovering', async () => {
    const { findings } = await judge('payment gateway slow, failing, back', {
      platform: await platformStream('dials'),
      count: 12,
      intervalMs: 400,
      injectAfter: 3,
      inject: async () => {
        await simulator('PUT', '/payments/settings', { latencyMs: 1_500 });
        await pause(3_000);
        await simulator('PUT', '/payments/settings', { failureRate: 1 });
        await pause(4_000);
        await simulator('PUT', '/payments/settings', {});
      },
    });
    expect(findings).toEqual(emptyFindings());
  });

  it('a 10 MB and a 50,000-row monolith transaction, and a fact too large for Kafka, mid-stream', async () => {
    const bulk = `L-bulk-${suffix}`;
    // Written behind the monolith's back, as a bulk import or a data fix would: cancelled orders
    // (placed, then cancelled: two facts each), one transaction per shape.
    const shapes = {
      // 22 orders of 1,000 lines with 400-character skus: about 10 MB of facts in one transaction.
      large: { orders: 22, lines: 1_000, skuPadding: 400, status: 'CANCELLED' },
      // 10 orders of 4,999 lines: 50,000 rows in one transaction.
      many: { orders: 10, lines: 4_999, skuPadding: 0, status: 'CANCELLED' },
      // One order of 3,000 long lines: its placement alone is over the broker's 1 MiB.
      oversized: { orders: 1, lines: 3_000, skuPadding: 400, status: 'PENDING_FRAUD' },
    } as const;
    const idsOf = (shape: keyof typeof shapes) =>
      Array.from({ length: shapes[shape].orders }, (_, i) => `${bulk}-${shape}-${i + 1}`);
    const { findings } = await judge('10 MB and 50,000-row transactions, one oversized fact', {
      legacy: await monolithStream('bulk'),
      count: 10,
      intervalMs: 300,
      injectAfter: 3,
      inject: async () => {
        for (const shape of ['large', 'many', 'oversized'] as const) {
          await bulkTransaction(`${bulk}-${shape}`, shapes[shape]);
        }
      },
    });
    const mirrored = idsOf('large').concat(idsOf('many'));
    const facts = await readTopic({
      brokers: world.brokers,
      topic: TOPICS.legacyOrderEvents,
      accept: (r) => mirrored.includes(r.key ?? ''),
      until: (accepted) =>
        new Set(accepted.map((r) => r.headers['event-id'])).size >= 2 * mirrored.length,
      timeoutMs: 120_000,
    });
    const largeBytes = facts
      .filter((r) => idsOf('large').includes(r.key!))
      .reduce((n, r) => n + Buffer.byteLength(r.value), 0);
    const placedLines = (orderId: string) =>
      (
        JSON.parse(
          facts.find((r) => r.key === orderId && r.value.includes('LegacyOrderPlaced'))!.value,
        ) as LegacyEvent<'LegacyOrderPlaced'>
      ).payload.lines.length;
    const parked = await readTopic({
      brokers: world.brokers,
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      accept: (r) => (r.key ?? '').startsWith(`${bulk}-oversized`),
      until: (accepted) => accepted.length > 0,
      timeoutMs: 60_000,
    });
    // The platform followed every mirrored order to its end.
    const stages = await eventually(
      'every bulk order followed to its cancellation',
      async () => {
        const read = await readModelStages(world, mirrored);
        return mirrored.every((id) => read.get(id) === 'Cancelled') ? read : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    rows.at(-1)!.fault += ` (${(largeBytes / 1_048_576).toFixed(1)} MiB of facts)`;
    expect({
      findings,
      // Every fact of both transactions on the topic, each with its own id (a resend would repeat
      // an id, which the consumers' inboxes absorb), every line of every order in its placement.
      factIds: new Set(facts.map((r) => r.headers['event-id'])).size,
      largeOver10MB: largeBytes >= 10_000_000,
      lines: mirrored.map(placedLines),
      followed: [...new Set(mirrored.map((id) => stages.get(id)))],
      parked: parked.map((r) => ({
        reason: r.headers['x-dlq-reason'],
        position: r.headers['x-source-position'],
        eventId: r.headers['event-id'],
      })),
    }).toEqual({
      findings: emptyFindings(),
      factIds: 2 * mirrored.length,
      largeOver10MB: true,
      lines: [...idsOf('large').map(() => 1_000), ...idsOf('many').map(() => 4_999)],
      followed: ['Cancelled'],
      parked: [
        {
          reason: expect.stringMatching(
            /^too large: 1\.\d MiB over the .* Kafka accepts; fact not sent$/,
          ),
          position: expect.stringMatching(/^lsn:[0-9A-F]+\/[0-9A-F]+$/),
          eventId: `legacy-monolith:${bulk}-oversized-1:LegacyOrderPlaced`,
        },
      ],
    });
  });

  it('a malformed outbox row between good ones while the outbox source publishes', async () => {
    const outbox = `L-outbox-malformed-${suffix}`;
    // This suite mirrors by CDC; an outbox adapter beside it publishes the same facts again
    // (same ids: the inboxes absorb them). The history before this fault is not its business.
    await world.legacyDb.query(
      'UPDATE monolith.outbox SET published_at = now() WHERE published_at IS NULL',
    );
    await apps.start('legacy-adapter', 'outbox-adapter', {
      MIRROR_SOURCE: 'outbox',
      BRIDGE: 'off',
      COMPARATOR: 'off',
    });
    const legacy = await monolithStream('outbox');
    let malformedId = '';
    const { findings } = await judge('malformed outbox row', {
      legacy,
      count: 10,
      intervalMs: 300,
      injectAfter: 3,
      inject: async () => {
        // A line that is not an object: the mapping used to throw and the outbox stopped.
        const { rows: inserted } = await world.legacyDb.query<{ id: string }>(
          `INSERT INTO monolith.outbox (aggregate_id, event_type, payload)
           VALUES ($1, 'StockReserved', '{"lines": [null]}'::jsonb) RETURNING id::text AS id`,
          [outbox],
        );
        malformedId = inserted[0]!.id;
      },
    });
    const parked = await readTopic({
      brokers: world.brokers,
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      accept: (r) => r.headers['x-source-position'] === `outbox:${malformedId}`,
      until: (accepted) => accepted.length > 0,
      timeoutMs: 60_000,
    });
    // Every row of the stream's orders, before and after the malformed one, published; the
    // malformed one marked too, so it is not taken again.
    const unpublished = await eventually(
      'every outbox row of the stream published',
      async () => {
        const { rows: left } = await world.legacyDb.query<{ id: string }>(
          `SELECT id::text AS id FROM monolith.outbox
            WHERE published_at IS NULL AND (aggregate_id = ANY($1) OR aggregate_id = $2)`,
          [legacy.accepted.map((o) => o.orderId), outbox],
        );
        return left.length === 0 ? left : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await apps.kill('outbox-adapter');
    expect({
      findings,
      unpublished,
      parked: parked.map((r) => ({
        reason: r.headers['x-dlq-reason'],
        source: r.headers['x-mirror-source'],
        consumer: r.headers['x-dlq-consumer'],
      })),
    }).toEqual({
      findings: emptyFindings(),
      unpublished: [],
      parked: [
        {
          reason: expect.stringMatching(/^malformed: /),
          source: 'outbox',
          consumer: 'legacy-mirror-outbox',
        },
      ],
    });
  });

  it(
    'Temporal down three minutes during monolith traffic: every fact waits, none dead-lettered',
    async () => {
      const legacy = await monolithStream('temporal-long');
      const waited: number[] = [];
      const { findings } = await judge('Temporal down 3 min (monolith traffic)', {
        legacy,
        // Orders keep coming for most of the outage.
        count: 14,
        intervalMs: 12_000,
        injectAfter: 2,
        recoveryWindowMs: 180_000,
        inject: () =>
          whileSampling(
            () => restart('temporal', TEMPORAL_OUTAGE_MS),
            async () => waited.push(await dependencyWaitingSeconds('temporal')),
          ),
      });
      expect({
        findings,
        deadLettered: await deadLettersFor(legacy.accepted.map((o) => o.orderId)),
        // The bridge said it was waiting for Temporal, and for how long, while it was down.
        waitedVisibly: Math.max(0, ...waited) >= 30,
      }).toEqual({ findings: emptyFindings(), deadLettered: [], waitedVisibly: true });
    },
    LONG_FAULT_TIMEOUT_MS,
  );

  it(
    'Kafka down two minutes while both kinds of orders flow',
    async () => {
      const platform = await platformStream('kafka-long');
      const legacy = await monolithStream('kafka-long');
      const { findings } = await judge('Kafka down 2 min', {
        platform,
        legacy,
        count: 12,
        intervalMs: 10_000,
        injectAfter: 2,
        recoveryWindowMs: 180_000,
        inject: () => restart('kafka', KAFKA_OUTAGE_MS),
      });
      const orderIds = [...platform.accepted, ...legacy.accepted].map((o) => o.orderId);
      expect({ findings, deadLettered: await deadLettersFor(orderIds) }).toEqual({
        findings: emptyFindings(),
        deadLettered: [],
      });
    },
    LONG_FAULT_TIMEOUT_MS,
  );

  it('a poison message on every partition of each consumed topic, good ones after it', async () => {
    const legacy = await monolithStream('poison');
    const platform = await platformStream('poison');
    const marker = `fault-partition-poison-${suffix}`;
    const at = new Date().toISOString();
    const placed = (orderId: string) =>
      legacyEvent(orderId, 'LegacyOrderPlaced', at, {
        customerId: 'c-poison',
        lines: [{ sku: 'SKU-POISON', quantity: 1, unitPriceMinor: 100 }],
        totalMinor: 100,
        currency: 'EUR',
        expedited: false,
      });
    const poison: Record<string, string[]> = {
      [TOPICS.legacyOrderEvents]: [
        `{not json ${marker}`,
        // Another order's event id: the inbox would dedupe the wrong fact by it.
        JSON.stringify({
          ...placed(`${marker}-1`),
          eventId: legacyEventId('L-1', 'LegacyOrderPlaced'),
        }),
        JSON.stringify({
          ...placed(`${marker}-2`),
          payload: { ...placed('x').payload, lines: [] },
        }),
      ],
      [TOPICS.orderLifecycle]: [
        `{not json ${marker}`,
        JSON.stringify({ ...lifecycleEvent(`${marker}-1`, 1, 'OrderAccepted', at), eventId: 'x' }),
        JSON.stringify({
          ...lifecycleEvent(`${marker}-2`, 1, 'OrderAccepted', at),
          eventType: 'OrderTeleported',
        }),
      ],
    };
    const { findings } = await judge('poison on every partition, good ones after', {
      legacy,
      platform,
      count: 8,
      intervalMs: 400,
      injectAfter: 2,
      // One poison message at the head of each partition's backlog; the stream's next orders
      // land behind them on the same partitions.
      inject: async () => {
        for (const [topic, values] of Object.entries(poison)) {
          await producer.send({
            topic,
            messages: values.map((value, partition) => ({
              key: `${marker}-${partition}`,
              value,
              partition,
            })),
          });
        }
      },
    });
    const parked = await eventually('the nine poison messages indexed', async () => {
      const { rows } = await world.platformDb.query<{
        source_topic: string;
        source_partition: number;
        consumer: string;
        class: string;
        reason: string;
      }>(
        `SELECT source_topic, source_partition, consumer, class, reason FROM dead_letter
          WHERE convert_from(message_key, 'UTF8') LIKE $1 || '%'
          ORDER BY source_topic, consumer, source_partition`,
        [marker],
      );
      if (rows.length < 9) throw new Error(`${rows.length} of 9 poison messages indexed`);
      return rows;
    });
    const orderIds = [...platform.accepted, ...legacy.accepted].map((o) => o.orderId);
    expect({
      findings,
      deadLettered: await deadLettersFor(orderIds),
      parked: parked.map((row) => ({ ...row, reason: row.reason.split(':')[0] })),
    }).toEqual({
      findings: emptyFindings(),
      deadLettered: [],
      parked: [
        ...['legacy-signal-bridge', 'stage-comparator'].flatMap((consumer) =>
          [0, 1, 2].map((partition) => ({
            source_topic: TOPICS.legacyOrderEvents,
            source_partition: partition,
            consumer,
            class: 'poison',
            reason: 'poison',
          })),
        ),
        ...[0, 1, 2].map((partition) => ({
          source_topic: TOPICS.orderLifecycle,
          source_partition: partition,
          consumer: 'stage-comparator',
          class: 'poison',
          reason: 'poison',
        })),
      ],
    });
    // Each says why in words an operator can act on.
    expect(parked.filter((row) => row.source_partition === 1).map((row) => row.reason)).toEqual([
      expect.stringMatching(/not the derived/),
      expect.stringMatching(/not the derived/),
      expect.stringMatching(/not the derived/),
    ]);
  });

  it('a DLQ replay after the cause is fixed: processed once, a second replay changes nothing', async () => {
    const legacy = await monolithStream('replay');
    const reason = `placements refused by a faulty check ${suffix}`;
    // The cause: a check that wrongly refuses the bridge's monolith placements, as a bad
    // migration would. A constraint error about the message: dead-lettered at once, with it.
    await world.platformDb.query(`
      CREATE OR REPLACE FUNCTION fault_refuse_placements() RETURNS trigger AS $$
      BEGIN
        IF NEW.consumer = 'legacy-signal-bridge'
           AND NEW.event_id LIKE 'legacy-monolith:%:LegacyOrderPlaced' THEN
          RAISE EXCEPTION '${reason}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await world.platformDb.query(`
      CREATE OR REPLACE TRIGGER fault_refuse_placements BEFORE INSERT ON inbox_event
      FOR EACH ROW EXECUTE FUNCTION fault_refuse_placements()`);
    const replays: { first?: ReplayOutcome; again?: ReplayOutcome; tooEarly?: ReplayOutcome } = {};
    let failedAgain: { id: string; replay_of: string }[] = [];
    try {
      const { findings } = await judge('DLQ replay after the cause is fixed', {
        legacy,
        count: 4,
        intervalMs: 300,
        injectAfter: 4,
        inject: async () => {
          const parkedIds = await eventually(
            'the four placements dead-lettered and indexed',
            async () => {
              const ids = await deadLetterIdsFor(legacy.accepted.map((o) => o.orderId));
              if (ids.length < 4) throw new Error(`${ids.length} of 4 placements dead-lettered`);
              return ids;
            },
            { timeoutMs: 60_000 },
          );
          // Replayed before the fix: it fails again and comes back with its new reason.
          replays.tooEarly = await dlq(['replay', parkedIds[0]!, '--reason', 'too early']);
          failedAgain = await eventually('the early replay back on the DLQ', async () => {
            const { rows } = await world.platformDb.query<{ id: string; replay_of: string }>(
              `SELECT id::text, replay_of::text FROM dead_letter WHERE replay_of = $1`,
              [parkedIds[0]],
            );
            if (rows.length === 0) throw new Error('the early replay has not failed again yet');
            return rows;
          });
          await world.platformDb.query('DROP TRIGGER fault_refuse_placements ON inbox_event');
          replays.first = await dlq([
            'replay',
            '--all',
            '--reason-contains',
            reason,
            '--reason',
            'faulty check removed',
          ]);
          replays.again = await dlq(['replay', ...replays.first.replayed, '--reason', 'again']);
        },
      });
      const orderIds = legacy.accepted.map((o) => o.orderId);
      const { rows: history } = await world.platformDb.query<{
        id: string;
        status: string;
        events: string[];
      }>(
        `SELECT id::text, status, ARRAY(SELECT e->>'event' FROM jsonb_array_elements(replays) e)
                AS events
           FROM dead_letter WHERE convert_from(message_key, 'UTF8') = ANY($1) ORDER BY id`,
        [orderIds],
      );
      const { rows: audited } = await world.platformDb.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM operator_audit
          WHERE action = 'dead-letter-replay' AND subject = ANY($1)`,
        [history.map((row) => `dead-letter:${row.id}`)],
      );
      expect({
        findings,
        tooEarly: replays.tooEarly?.replayed.length,
        failedAgain: failedAgain.length,
        replayed: replays.first?.replayed.length,
        again: replays.again?.replayed.length,
        history: history.map(({ status, events }) => ({ status, events })),
        audited: audited[0]!.n,
        // Processed once: each order's workflow was told each fact once, however often replayed.
        repeatedSignals: await repeatedFactSignals(orderIds),
      }).toEqual({
        findings: emptyFindings(),
        tooEarly: 1,
        failedAgain: 1,
        // The three still parked and the one that came back.
        replayed: 4,
        again: 4,
        history: [
          { status: 'failed-again', events: ['replayed', 'failed-again'] },
          ...Array(3).fill({ status: 'replayed', events: ['replayed', 'replayed'] }),
          { status: 'replayed', events: ['replayed', 'replayed'] },
        ],
        audited: '9',
        repeatedSignals: [],
      });
    } finally {
      await world.platformDb.query('DROP TRIGGER IF EXISTS fault_refuse_placements ON inbox_event');
    }
  });

  // --- helpers -------------------------------------------------------------------------------

  /** Runs `work`, calling `sample` every 10 s meanwhile. */
  async function whileSampling(work: () => Promise<void>, sample: () => Promise<unknown>) {
    let done = false;
    const sampling = (async () => {
      while (!done) {
        await pause(10_000);
        if (!done) await sample().catch(() => undefined);
      }
    })();
    try {
      await work();
    } finally {
      done = true;
      await sampling;
    }
  }

  /** What the legacy adapter's metrics say the signal bridge has waited for `dependency`. */
  async function dependencyWaitingSeconds(dependency: string): Promise<number> {
    const response = await fetch(`${apps.url('legacy-adapter')}/metrics`);
    const line = (await response.text())
      .split('\n')
      .find(
        (l) =>
          l.startsWith('order_platform_consumer_dependency_waiting_seconds{') &&
          l.includes('consumer="legacy-signal-bridge"') &&
          l.includes(`dependency="${dependency}"`),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  /** Dead letters indexed for these orders (by message key): none, when nothing was bad. */
  async function deadLettersFor(orderIds: string[]) {
    const { rows } = await world.platformDb.query<{
      key: string;
      consumer: string;
      reason: string;
    }>(
      `SELECT convert_from(message_key, 'UTF8') AS key, consumer, reason FROM dead_letter
        WHERE convert_from(message_key, 'UTF8') = ANY($1)`,
      [orderIds],
    );
    return rows;
  }

  async function deadLetterIdsFor(orderIds: string[]): Promise<string[]> {
    const { rows } = await world.platformDb.query<{ id: string }>(
      `SELECT id::text FROM dead_letter
        WHERE convert_from(message_key, 'UTF8') = ANY($1) AND status = 'parked' ORDER BY id`,
      [orderIds],
    );
    return rows.map((row) => row.id);
  }

  /** `npm run dlq -- <args>` against the suite's stack, as an operator runs it. */
  async function dlq(args: string[]): Promise<ReplayOutcome> {
    const { stdout } = await execFileAsync('npm', ['run', '-s', 'dlq', '--', ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: suiteEnv('DATABASE_URL'),
        KAFKA_BROKERS: suiteEnv('KAFKA_BROKERS'),
      },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as ReplayOutcome;
  }

  /** Orders whose workflow was signalled the same monolith fact more than once. */
  async function repeatedFactSignals(orderIds: string[]): Promise<string[]> {
    const repeated: string[] = [];
    for (const orderId of orderIds) {
      const history = await world.temporal.workflow
        .getHandle(workflowIdForOrder(orderId))
        .fetchHistory();
      const facts: string[] = [];
      for (const event of history.events ?? []) {
        const signaled = event.workflowExecutionSignaledEventAttributes;
        const payload = signaled?.input?.payloads?.[0];
        if (signaled?.signalName !== LEGACY_FACT_SIGNAL || !payload?.data) continue;
        // Histories hold what the payload codec wrote: decrypted here as the Web UI's codec would.
        let decoded = [payload as Payload];
        for (const codec of suiteDataConverter().payloadCodecs)
          decoded = await codec.decode(decoded);
        const data = decoded[0]?.data ?? new Uint8Array();
        facts.push((JSON.parse(Buffer.from(data).toString('utf8')) as LegacyEvent).eventId);
      }
      // The start carries the placement too (signal-with-start): it counts once like the rest.
      if (new Set(facts).size !== facts.length) repeated.push(`${orderId}: ${facts.join(', ')}`);
    }
    return repeated;
  }

  /** Runs one fault, audits every order it touched and records the table row. */
  async function judge(
    name: string,
    plan: Omit<Parameters<typeof runFault>[1], 'name'>,
    extraAudit?: (findings: Findings) => Promise<void>,
  ): Promise<{ outcome: FaultOutcome; findings: Findings }> {
    const outcome = await runFault(world, { name, ...plan });
    const findings = emptyFindings();
    if (plan.platform) {
      await auditPlatformOrders(
        world,
        plan.platform.accepted,
        { sku: plan.platform.sku, onHand: STOCK },
        findings,
      );
    }
    if (plan.legacy) {
      const held = await auditMonolithOrders(
        world,
        plan.legacy.accepted,
        { sku: plan.legacy.sku, onHand: STOCK },
        findings,
      );
      // Orders the monolith committed although its reply was lost count as in the stream.
      outcome.orders.push(
        ...held.filter((o) => !outcome.orders.some((known) => known.orderId === o.orderId)),
      );
    }
    await extraAudit?.(findings);
    // An order that never came to rest (an injected one, say) means the platform did not recover.
    if (findings.unsettled.length > 0) outcome.settledAt = undefined;
    // The next fault starts from a whole platform, whatever this one did to it: a crashed
    // process is reported and restarted, and after any finding the worker and the adapter are
    // restarted too (a mirror that stopped without crashing would fail the next fault as well).
    // The monolith and the simulators would come back on other ports: a crash of theirs stays.
    const failed = Object.values(findings).some((list) => list.length > 0);
    for (const instance of ['legacy-monolith', 'simulators', 'worker', 'legacy-adapter']) {
      const running = apps.isRunning(instance);
      if (!running) findings.crashed.push(instance);
      const env = appEnvs()[instance];
      if (!env || (running && !failed)) continue;
      if (running) await apps.kill(instance);
      await apps.start(instance, instance, env);
    }
    rows.push(rowOf(name, outcome, findings));
    return { outcome, findings };
  }

  /** The apps a fault may restart, with the settings they are (re)started with. */
  function appEnvs(): Record<string, NodeJS.ProcessEnv> {
    return { worker: { MONOLITH_URL: monolith }, 'legacy-adapter': adapterEnv };
  }

  async function platformStream(label: string): Promise<PlatformOrderStream> {
    const sku = `SKU-FAULT-${label}-${suffix}`;
    await simulator('PUT', `/warehouse/stock/${sku}`, { onHand: STOCK });
    return new PlatformOrderStream(label, sku, world.temporal, apps.taskQueue);
  }

  async function monolithStream(label: string): Promise<MonolithOrderStream> {
    const sku = `SKU-FAULT-L-${label}-${suffix}`;
    await monolithCall(monolith, 'PUT', `/stock/${sku}`, { onHand: STOCK });
    await monolithCall(monolith, 'PUT', `/products/${sku}`, {
      priceCents: STREAM_UNIT_PRICE_MINOR,
      currency: 'EUR',
    });
    // The shadowed inventory stage asks the platform's warehouse the same question.
    await simulator('PUT', `/warehouse/stock/${sku}`, { onHand: STOCK });
    return new MonolithOrderStream(label, sku, monolith);
  }

  /** One monolith transaction writing `orders` orders of `lines` lines each, in SQL. */
  async function bulkTransaction(
    prefix: string,
    shape: { orders: number; lines: number; skuPadding: number; status: string },
  ): Promise<void> {
    const client = await world.legacyDb.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO monolith.orders (order_id, customer_id, status, total_cents, currency)
         SELECT $1 || '-' || o, 'c-bulk', $2, 100 * $3::int, 'EUR' FROM generate_series(1, $4::int) o`,
        [prefix, shape.status, shape.lines, shape.orders],
      );
      await client.query(
        `INSERT INTO monolith.order_lines (order_id, line_no, sku, quantity, unit_price_cents)
         SELECT $1 || '-' || o, l, 'SKU-BULK-' || l || repeat('x', $2::int), 1, 100
           FROM generate_series(1, $3::int) o, generate_series(1, $4::int) l`,
        [prefix, shape.skuPadding, shape.orders, shape.lines],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Stops one service of the suite's stack, leaves it down a while, and starts it again. */
  async function restart(service: StackService, downMs: number): Promise<void> {
    const stateDir = suiteEnv('ORDER_TEST_STACK_DIR');
    await stopStackService(stateDir, service);
    await pause(downMs);
    await startStackService(stateDir, service);
  }

  const simulator = (method: 'GET' | 'PUT', path: string, body?: unknown) =>
    simulatorCall(world.simulatorsUrl, method, path, body);

  async function mirroredFacts(orderId: string): Promise<LegacyEvent[]> {
    const records = await readTopic({
      brokers: world.brokers,
      topic: TOPICS.legacyOrderEvents,
      accept: (r) => r.key === orderId,
      until: (accepted) => accepted.some((r) => r.value.includes('LegacyOrderAccepted')),
      timeoutMs: 60_000,
    });
    const byType = new Map<string, LegacyEvent>();
    for (const r of records) {
      const event = JSON.parse(r.value) as LegacyEvent;
      byType.set(event.eventType, event);
    }
    return LEGACY_FACT_TYPES.filter((t) => byType.has(t)).map((t) => byType.get(t)!);
  }

  async function lifecycleRecordsOf(orderId: string): Promise<{ orderId: string }[]> {
    const records = await readTopic({
      brokers: world.brokers,
      topic: TOPICS.orderLifecycle,
      accept: (r) => r.key === orderId,
      until: (accepted) => accepted.length >= 3,
      timeoutMs: 60_000,
    });
    return records.map((r) => JSON.parse(r.value) as { orderId: string });
  }

  function asOrder(fact: LegacyEvent, orderId: string): LegacyEvent {
    return {
      ...fact,
      orderId,
      eventId: legacyEventId(
        orderId,
        fact.eventType,
        legacyFactDiscriminator(fact.eventType, fact.payload),
      ),
    } as LegacyEvent;
  }

  async function produce(topic: string, events: { orderId: string }[]): Promise<void> {
    await producer.send({
      topic,
      messages: events.map((event) => ({ key: event.orderId, value: JSON.stringify(event) })),
    });
  }

  async function deadLetters(topic: string, marker: string, atLeast: number) {
    const records = await readTopic({
      brokers: world.brokers,
      topic,
      accept: (r) => (r.key ?? '').startsWith(marker),
      until: (accepted) => accepted.length >= atLeast,
      timeoutMs: 30_000,
    });
    return records.map((r) => ({
      key: r.key,
      consumer: r.headers['x-dlq-consumer'],
      poison: (r.headers['x-dlq-reason'] ?? '').startsWith('poison'),
    }));
  }
});
