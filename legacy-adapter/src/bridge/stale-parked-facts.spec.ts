import { legacyEvent } from '@order-platform/domain';
import { sweepStaleParkedFacts } from './stale-parked-facts';

const fact = legacyEvent('L-9', 'LegacyPaymentAuthorized', '2026-11-29T10:00:00.000Z', {
  authorizationId: 'a-1',
  amountMinor: 100,
  currency: 'EUR',
});

function harness(stale: { fact: typeof fact; parked_at: Date }[], sendFails = false) {
  const log: string[] = [];
  const sent: { topic: string; messages: { key: string; headers: Record<string, string> }[] }[] =
    [];
  const client = {
    query: async (sql: string, params: unknown[] = []) => {
      const verb = sql.trim().split(/\s+/)[0]!;
      log.push(
        verb === 'DELETE' ? `DELETE ${sql.includes('inbox_event') ? 'inbox' : 'parked'}` : verb,
      );
      if (verb === 'DELETE' && !sql.includes('inbox_event')) return { rows: stale, command: verb };
      if (sql.includes('inbox_event')) log.push(`forget ${(params[1] as string[]).join(',')}`);
      // As PostgreSQL names what it did: COMMIT answers COMMIT.
      return { rows: [], command: verb };
    },
    release: () => log.push('release'),
  };
  const producer = {
    send: async (record: (typeof sent)[number]) => {
      if (sendFails) throw new Error('KafkaJSConnectionError');
      log.push('send');
      sent.push(record);
      return [];
    },
  };
  const sweep = () =>
    sweepStaleParkedFacts({
      pool: { connect: async () => client } as never,
      producer: producer as never,
      consumer: 'legacy-signal-bridge',
      boundMs: 3_600_000,
      logger: { warn: () => undefined },
    });
  return { log, sent, sweep };
}

describe('parked facts that refer to nothing', () => {
  it('moves them to the DLQ with the reason, forgetting them in the inbox so a replay applies', async () => {
    const parkedAt = new Date('2026-11-29T09:00:00.000Z');
    const h = harness([{ fact, parked_at: parkedAt }]);
    expect(await h.sweep()).toBe(1);
    expect(h.log).toEqual([
      'BEGIN',
      'DELETE parked',
      'DELETE inbox',
      `forget ${fact.eventId}`,
      'send',
      'COMMIT',
      'release',
    ]);
    expect(h.sent).toEqual([
      {
        topic: 'legacy.order-events.v1.dlq',
        messages: [
          expect.objectContaining({
            key: 'L-9',
            value: JSON.stringify(fact),
            headers: expect.objectContaining({
              'x-dlq-reason': `bad: refers to nothing: no LegacyOrderPlaced for L-9 within 3600 s of ${parkedAt.toISOString()}`,
              'x-dlq-source-topic': 'legacy.order-events.v1',
              'x-dlq-consumer': 'legacy-signal-bridge',
              'x-dlq-class': 'bad',
              'x-dlq-event-id': fact.eventId,
            }),
          }),
        ],
      },
    ]);
  });

  it('keeps them parked when Kafka does not take the dead letters', async () => {
    const h = harness([{ fact, parked_at: new Date() }], true);
    await expect(h.sweep()).rejects.toThrow('KafkaJSConnectionError');
    expect(h.log.slice(-2)).toEqual(['ROLLBACK', 'release']);
  });

  it('does nothing when nothing is stale', async () => {
    const h = harness([]);
    expect(await h.sweep()).toBe(0);
    // The empty transaction commits: it took nothing and sent nothing.
    expect(h.log).toEqual(['BEGIN', 'DELETE parked', 'COMMIT', 'release']);
  });
});
