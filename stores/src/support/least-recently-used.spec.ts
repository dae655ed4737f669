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
});
