/**
 * Two legacy adapters on one replication slot (and, second, on one outbox), as processes, with
 * the monolith taking orders the whole time: one leads and mirrors, the other stands by; the
 * leader is SIGKILLed mid-traffic and the standby takes over within seconds from the slot's
 * acknowledged position (the outbox's rows not marked published).
 *
 * What is guaranteed, and checked here: every fact of every order reaches
 * `legacy.order-events.v1` (at least once), on its order's one partition, in its order's order;
 * every fact has one event id (`legacy-monolith:<orderId>:<type>`), so a fact the dead leader
 * had sent but not yet acknowledged, and which the new leader sends again, arrives as the same
 * event id with the same content, and the consumers (bridge, comparator, indexer: the reliable
 * consumer's inbox) apply it once. Nothing but such repeats appears twice, and after the
 * takeover nothing repeats at all.
 */
import { randomUUID } from 'node:crypto';
import { type LegacyEvent, TOPICS } from '@order-platform/domain';
import {
  AppsUnderTest,
  dropReplicationSlot,
  eventually,
  monolithCall as monolithCallAt,
  MONOLITH_ACCEPTED_FACTS,
  readTopic,
  suiteEnv,
  type TopicRecord,
} from '@order-platform/tools';

type Readiness = { status: string; checks: Record<string, { status: string; detail?: string }> };

describe.each(['cdc', 'outbox'] as const)('two legacy adapters, active/standby (%s)', (source) => {
  const apps = new AppsUnderTest(`legacy-failover-${source}`);
  const suffix = randomUUID().slice(0, 8);
  const env = {
    BRIDGE: 'off',
    COMPARATOR: 'off',
    MIRROR_SOURCE: source,
    MIRROR_SLOT: `failover_${suffix}`,
    MIRROR_PUBLICATION: `failover_${suffix}`,
    MIRROR_LEADER_POLL_MS: '250',
  };
  let monolith: string;

  beforeAll(async () => {
    monolith = await apps.start('legacy-monolith');
  }, 240_000);

  afterAll(async () => {
    await apps.stopAll();
    if (source === 'cdc') await dropReplicationSlot(env.MIRROR_SLOT).catch(() => undefined);
  }, 60_000);

  const role = async (url: string): Promise<string | undefined> => {
    const readiness = (await (await fetch(`${url}/health/ready`)).json()) as Readiness;
    return readiness.checks.mirror?.detail;
  };
  const leaderGauge = async (url: string): Promise<string | undefined> =>
    (await (await fetch(`${url}/metrics`)).text()).match(
      new RegExp(`^order_platform_mirror_leader\\{lock="mirror:${source}:[^"]+"\\} (\\d)$`, 'm'),
    )?.[1];

  async function placeOrder(sku: string): Promise<string> {
    const reply = await monolithCallAt(monolith, 'POST', '/orders', {
      customerId: `c-${randomUUID().slice(0, 8)}`,
      items: [{ sku, quantity: 1 }],
    });
    return reply.orderId as string;
  }

  it('mirrors from one adapter; the standby takes over when it is killed mid-traffic, losing nothing', async () => {
    const sku = `SKU-FAILOVER-${source}-${suffix}`;
    await monolithCallAt(monolith, 'PUT', `/stock/${sku}`, { onHand: 10_000 });
    await monolithCallAt(monolith, 'PUT', `/products/${sku}`, {
      priceCents: 1999,
      currency: 'EUR',
    });
    const urls = {
      'adapter-a': await apps.start('legacy-adapter', 'adapter-a', env),
      'adapter-b': await apps.start('legacy-adapter', 'adapter-b', env),
    };
    const roles = await eventually('one leader and one standby', async () => {
      const seen = [await role(urls['adapter-a']), await role(urls['adapter-b'])];
      return seen.includes('leader') && seen.includes('standby') ? seen : undefined;
    });
    const [leader, standby] = (
      roles[0] === 'leader' ? ['adapter-a', 'adapter-b'] : ['adapter-b', 'adapter-a']
    ) as ['adapter-a' | 'adapter-b', 'adapter-a' | 'adapter-b'];
    expect(await leaderGauge(urls[leader])).toBe('1');
    expect(await leaderGauge(urls[standby])).toBe('0');

    // Traffic the whole time: orders placed one after another while the leader is killed.
    const orders: string[] = [];
    let placing = true;
    const traffic = (async () => {
      while (placing) orders.push(await placeOrder(sku));
    })();
    await eventually('orders mirrored before the kill', async () =>
      orders.length >= 10 ? true : undefined,
    );
    await apps.kill(leader);
    const killedAt = Date.now();
    const killedAfter = orders.length;
    await eventually('the standby leads', async () =>
      (await role(urls[standby])) === 'leader' ? true : undefined,
    );
    const takeoverMs = Date.now() - killedAt;
    // Orders placed once the new leader streams: nothing of theirs may repeat.
    const firstAfterTakeover = orders.length;
    await eventually('orders after the takeover', async () =>
      orders.length >= firstAfterTakeover + 10 ? true : undefined,
    );
    placing = false;
    await traffic;

    const records = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: TOPICS.legacyOrderEvents,
      accept: (r) => orders.includes(r.key ?? ''),
      until: (accepted) =>
        orders.every((id) =>
          accepted.some((r) => r.key === id && r.value.includes('"LegacyCustomerNotified"')),
        ),
      describeMissing: (accepted) => {
        const lacking = orders.flatMap((id, index) => {
          const seen = accepted
            .filter((r) => r.key === id)
            .map((r) => (JSON.parse(r.value) as LegacyEvent).eventType);
          return seen.includes('LegacyCustomerNotified')
            ? []
            : [`#${index} ${id} (${seen.join(', ') || 'no fact'})`];
        });
        return (
          `${lacking.length} of ${orders.length} orders without their last fact (killed after ` +
          `#${killedAfter}, led again from #${firstAfterTakeover}): ${lacking.slice(0, 10).join('; ')}`
        );
      },
      timeoutMs: 120_000,
    });
    const byOrder = (orderId: string): TopicRecord[] => records.filter((r) => r.key === orderId);
    const repeated: string[] = [];
    for (const [index, orderId] of orders.entries()) {
      const mine = byOrder(orderId);
      const facts = mine.map((r) => JSON.parse(r.value) as LegacyEvent);
      // Every fact, in order (first arrivals), each under its one event id, on one partition.
      expect([...new Set(facts.map((e) => e.eventType))]).toEqual(MONOLITH_ACCEPTED_FACTS);
      // A notification's id names its kind too: an order gets several.
      const idOf = (e: LegacyEvent) =>
        e.eventType === 'LegacyCustomerNotified'
          ? `legacy-monolith:${orderId}:${e.eventType}:confirmed`
          : `legacy-monolith:${orderId}:${e.eventType}`;
      expect(facts.every((e) => e.eventId === idOf(e))).toBe(true);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      // A repeat is the same fact: the same id with the same content, so the inbox drops it.
      const firstById = new Map<string, string>();
      for (const record of mine) {
        const { eventId } = JSON.parse(record.value) as LegacyEvent;
        const first = firstById.get(eventId);
        if (first === undefined) firstById.set(eventId, record.value);
        else {
          expect(record.value).toBe(first);
          repeated.push(`${orderId} (#${index})`);
        }
      }
      if (index >= firstAfterTakeover) expect(mine).toHaveLength(MONOLITH_ACCEPTED_FACTS.length);
    }
    // Repeats only of what the dead leader was sending as it died, never of later orders.
    for (const which of repeated) {
      expect(Number(/#(\d+)/.exec(which)![1])).toBeLessThan(firstAfterTakeover);
    }
    // Within seconds, on a machine shared with other test runs.
    expect(takeoverMs).toBeLessThan(15_000);
    console.info(
      `failover (${source}): ${orders.length} orders, killed after ${killedAfter}; standby led after ${takeoverMs} ms; repeated facts: ${repeated.length}`,
    );

    // The killed adapter comes back as the standby: the leader keeps the slot.
    await apps.restart(leader);
    await eventually('the restarted adapter stands by', async () =>
      (await role(urls[leader])) === 'standby' ? true : undefined,
    );
    expect(await role(urls[standby])).toBe('leader');
  }, 300_000);
});
