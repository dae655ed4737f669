/**
 * A map of at most `capacity` entries in which the least recently used goes first when a new
 * one would exceed it. Map iteration follows insertion, so re-inserting a key on each use keeps
 * the least recently used key first.
 */
export class LeastRecentlyUsed<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new Error(`capacity must be a whole number, 0 or more (got ${capacity})`);
  }

  /** The value under `key`, its place in the order untouched. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Counts `key` as used most recently, if it is held. */
  touch(key: K): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, value);
  }

  /** The value under `key`, which now counts as used most recently. */
  get(key: K): V | undefined {
    this.touch(key);
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
