import { LeastRecentlyUsed } from './least-recently-used';

describe('LeastRecentlyUsed', () => {
  it('lets the least recently used entry go when a new one exceeds the capacity', () => {
    const recent = new LeastRecentlyUsed<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    expect(recent.get('a')).toBe(1);
    recent.set('c', 3);
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('a')).toBe(1);
    expect(recent.get('c')).toBe(3);
    expect(recent.size).toBe(2);
  });

  it('counts setting a key again as a use, not a second entry', () => {
    const recent = new LeastRecentlyUsed<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('a', 10);
    recent.set('c', 3);
    expect(recent.get('a')).toBe(10);
    expect(recent.get('b')).toBeUndefined();
  });

  it('keeps nothing at capacity 0', () => {
    const recent = new LeastRecentlyUsed<string, number>(0);
    recent.set('a', 1);
    expect(recent.size).toBe(0);
  });

  it('peeks without changing which entry goes first', () => {
    const recent = new LeastRecentlyUsed<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    expect(recent.peek('a')).toBe(1);
    recent.set('c', 3);
    expect(recent.peek('a')).toBeUndefined();
    recent.touch('b');
    recent.set('d', 4);
    expect(recent.peek('b')).toBe(2);
    expect(recent.peek('c')).toBeUndefined();
  });

  it('refuses a capacity that would leave it unbounded', () => {
    expect(() => new LeastRecentlyUsed(Number.NaN)).toThrow(/capacity/);
    expect(() => new LeastRecentlyUsed(-1)).toThrow(/capacity/);
  });
});
