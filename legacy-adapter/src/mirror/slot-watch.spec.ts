import { judgeSlot, lsnBytes, lsnFromBytes, type SlotReading } from './slot-watch';

const options = { slot: 'mirror', checkMs: 1_000, lagWarnBytes: 1_000_000, ageWarnSeconds: 300 };
const healthy: SlotReading = {
  exists: true,
  active: true,
  lagBytes: 10_000,
  retainedBytes: 50_000,
  ageSeconds: 2,
  confirmedLsn: '0/16B3748',
  safeWalBytes: null,
  walStatus: 'reserved',
};

describe('judging the replication slot', () => {
  it('is quiet while the mirror keeps up', () => {
    expect(judgeSlot(healthy, options)).toEqual({});
  });

  it('names the lag in bytes past the threshold', () => {
    expect(judgeSlot({ ...healthy, lagBytes: 2_000_000 }, options).problem).toBe(
      'replication slot mirror lagging: 2000000 bytes unconfirmed (threshold 1000000)',
    );
  });

  it('names a change waiting unconfirmed too long, even when the bytes are few (a wedged mirror)', () => {
    expect(judgeSlot({ ...healthy, ageSeconds: 301, active: false }, options).problem).toMatch(
      /oldest unconfirmed change 301 s old \(threshold 300 s\)/,
    );
  });

  it('says when the slot is gone or has lost its WAL', () => {
    expect(judgeSlot({ ...healthy, exists: false }, options).problem).toMatch(/does not exist/);
    expect(judgeSlot({ ...healthy, walStatus: 'lost' }, options).problem).toMatch(/re-seeded/);
  });

  it('reads an LSN as a byte offset and writes it back', () => {
    expect(lsnBytes('0/16B3748')).toBe(0x16b3748);
    expect(lsnBytes('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
    expect(lsnFromBytes(0x16 * 2 ** 32 + 0xb374d848)).toBe('16/B374D848');
    // One byte before a 4 GiB boundary: the low half wraps, the high half steps back.
    expect(lsnFromBytes(lsnBytes('17/0') - 1)).toBe('16/FFFFFFFF');
  });
});
