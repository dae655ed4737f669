import type { Pool } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { createLogger } from '@order-platform/runtime';
import { createMapping } from '../mappings/sample-monolith.mapping';
import { CdcSource } from './cdc-source';
import type { MirroredRecord, MirrorPublisher } from './mirror-publisher';
import { lsnBytes, lsnFromBytes } from './slot-watch';

const relation = (name: string) => ({ schema: 'monolith', name }) as Pgoutput.MessageRelation;
const begin = {
  tag: 'begin',
  commitLsn: '0/AA',
  commitTime: BigInt(1_764_400_000_000_000),
  xid: 7,
};
const order = (id: string) => ({
  tag: 'insert',
  relation: relation('orders'),
  new: {
    order_id: id,
    customer_id: 'c-1',
    status: 'CANCELLED',
    total_cents: '100',
    currency: 'EUR',
  },
});
const line = (id: string, n: number) => ({
  tag: 'insert',
  relation: relation('order_lines'),
  new: { order_id: id, line_no: n, sku: `SKU-${n}`, quantity: 1, unit_price_cents: '100' },
});
const commit = { tag: 'commit' };

/** Runs the messages through a source; records what was published and acknowledged, in order. */
async function stream(
  messages: object[],
  chunkRows: number,
  failOnPublish?: number,
  /** How many messages the library has received beyond the one being handled: a backlog. */
  receivedAhead: (index: number) => number = () => 0,
) {
  const log: string[] = [];
  const published: MirroredRecord[][] = [];
  const linesRead: string[][] = [];
  const pool = {
    query: async (_sql: string, [ids]: [string[]]) => {
      linesRead.push(ids);
      return {
        rows: ids.flatMap((id) =>
          [1, 2, 3].map((n) => ({
            order_id: id,
            line_no: n,
            sku: `SKU-${n}`,
            quantity: 1,
            unit_price_cents: '100',
          })),
        ),
      };
    },
  } as unknown as Pool;
  const publisher = {
    publish: async (records: MirroredRecord[]) => {
      if (published.length + 1 === failOnPublish) throw new Error('Kafka refused');
      published.push(records);
      log.push(`publish ${records.length}`);
      return { events: 0, deadLettered: 0, oversized: 0, sends: 1 };
    },
  } as unknown as MirrorPublisher;
  const source = new CdcSource(
    pool,
    publisher,
    {
      connectionString: 'postgres://unused',
      mapping: createMapping({}),
      publication: 'p',
      slot: 's',
      chunkRows,
      chunkBytes: 1_000_000,
    },
    createLogger('test', 'error', () => undefined),
  );
  const service = {
    // What the server is told: pg-logical-replication reports one byte past what it is given.
    acknowledge: async (lsn: string) => void log.push(`ack ${lsnFromBytes(lsnBytes(lsn) + 1)}`),
    _messageQueue: [] as unknown[],
  };
  const onMessage = (
    source as unknown as {
      onMessage(service: unknown, lsn: string, message: object): Promise<void>;
    }
  ).onMessage.bind(source);
  let error: unknown;
  for (const [i, message] of messages.entries()) {
    service._messageQueue = new Array<unknown>(receivedAhead(i)).fill(null);
    // As the stream does: after a failure, nothing more is handled.
    error = await onMessage(service, `0/${i + 1}`, message).then(
      () => undefined,
      (e) => e,
    );
    if (error) break;
  }
  return { log, published, linesRead, error };
}

const placedLines = (records: MirroredRecord[]) =>
  records.flatMap((r) =>
    'events' in r.mapped
      ? r.mapped.events
          .filter((e) => e.eventType === 'LegacyOrderPlaced')
          .map((e) => [e.orderId, (e.payload as { lines: unknown[] }).lines.length])
      : [],
  );

describe('the CDC source streaming a transaction', () => {
  it('maps a small transaction whole, with the lines it wrote, and acknowledges at commit', async () => {
    const { log, published, linesRead } = await stream(
      [begin, order('L-1'), line('L-1', 1), line('L-1', 2), commit],
      1_000,
    );
    expect(log).toEqual(['publish 1', 'ack 0/5']);
    expect(placedLines(published[0]!)).toEqual([['L-1', 2]]);
    expect(linesRead).toEqual([]);
    expect(published[0]![0]!.position).toBe('lsn:0/AA');
  });

  it('sends a large transaction in chunks as it streams, reading lines back, and acknowledges only after the last', async () => {
    const { log, published, linesRead } = await stream(
      [begin, order('L-1'), order('L-2'), line('L-1', 1), line('L-1', 2), line('L-1', 3), commit],
      2,
    );
    // Chunk 1: both orders (lines read back whole); chunk 2: lines only; the rest at commit.
    expect(log).toEqual(['publish 2', 'ack 0/7']);
    expect(placedLines(published.flat())).toEqual([
      ['L-1', 3],
      ['L-2', 3],
    ]);
    expect(linesRead).toEqual([['L-1', 'L-2']]);
  });

  it('acknowledges nothing of a transaction whose later chunk Kafka refused', async () => {
    const { log, error } = await stream(
      [begin, order('L-1'), order('L-2'), order('L-3'), order('L-4'), commit],
      2,
      2,
    );
    expect(String(error)).toMatch(/Kafka refused/);
    expect(log).toEqual(['publish 2']);
  });

  describe('with a backlog (more of the stream already received)', () => {
    const placed = (id: string) => [begin, order(id), line(id, 1), commit];
    const backlog = [...placed('B-1'), ...placed('B-2'), ...placed('B-3')];

    it('sends several committed transactions in one publish, in commit order, and acknowledges the last commit after it', async () => {
      const { log, published } = await stream(
        backlog,
        1_000,
        undefined,
        (i) => backlog.length - 1 - i,
      );
      expect(log).toEqual(['publish 3', 'ack 0/12']);
      expect(placedLines(published[0]!).map(([id]) => id)).toEqual(['B-1', 'B-2', 'B-3']);
      expect(published[0]!.map((r) => r.transaction)).toEqual([0, 1, 2]);
    });

    it('holds no more than chunkRows rows: a full group goes out and is acknowledged before the next', async () => {
      const { log } = await stream(backlog, 4, undefined, (i) => backlog.length - 1 - i);
      expect(log).toEqual(['publish 2', 'ack 0/8', 'publish 1', 'ack 0/12']);
    });

    it('sends held transactions before the first chunk of a large one that follows, then acknowledges them', async () => {
      const large = [begin, order('L-1'), order('L-2'), order('L-3'), order('L-4'), commit];
      const messages = [...placed('B-1'), ...large];
      const { log, published } = await stream(messages, 3, undefined, (i) =>
        i < 4 ? messages.length - 1 - i : 0,
      );
      expect(log).toEqual(['publish 4', 'ack 0/4', 'publish 1', 'ack 0/10']);
      expect(placedLines(published[0]!).map(([id]) => id)).toEqual(['B-1', 'L-1', 'L-2', 'L-3']);
    });

    it('acknowledges none of the held transactions when Kafka refuses their send', async () => {
      const { log, error } = await stream(backlog, 1_000, 1, (i) => backlog.length - 1 - i);
      expect(String(error)).toMatch(/Kafka refused/);
      expect(log).toEqual([]);
    });
  });
});
