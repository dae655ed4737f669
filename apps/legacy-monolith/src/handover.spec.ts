import { fnv1a32, handedOverStages, NO_HANDOVER, readHandoverSettings } from './handover';

const ids = (count: number) => Array.from({ length: count }, (_, i) => `L-${i.toString(16)}`);

describe('handing stages over to the platform', () => {
  it('hashes as the platform’s ramp does (FNV-1a 32-bit over UTF-8)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('é')).not.toBe(fnv1a32('e'));
  });

  it('hands a stage over for its share of orders, the same orders every time, more as it grows', () => {
    const at = (payment: number) =>
      new Set(
        ids(1000).filter((id) =>
          handedOverStages(id, { ...NO_HANDOVER, payment }, false).includes('payment'),
        ),
      );
    const [ten, twenty] = [at(10), at(20)];
    expect(ten.size).toBeGreaterThan(60);
    expect(ten.size).toBeLessThan(140);
    expect([...ten].every((id) => twenty.has(id))).toBe(true);
    expect(at(0).size).toBe(0);
    expect(at(100).size).toBe(1000);
    expect(handedOverStages('L-1', NO_HANDOVER, true)).toEqual(['fraud']);
  });

  it('reads only known stages and shares from 0 to 100', () => {
    expect(readHandoverSettings({ inventory: 30 })).toEqual({ ...NO_HANDOVER, inventory: 30 });
    expect(() => readHandoverSettings({ inventory: 101 })).toThrow(/inventory/);
    expect(() => readHandoverSettings({ shipping: 5 })).toThrow(/no stage shipping/);
    expect(() => readHandoverSettings([])).toThrow();
  });
});
