/**
 * A value read at most once per `maxAgeMs` however many callers ask: concurrent callers share the
 * read under way, later ones get the last answer until it is older than `maxAgeMs`. A failed
 * read is not kept, so the next caller reads again. What gauges read at scrape time go through
 * this, so a burst of scrapes costs one read (the gateway's backlog and degraded modes,
 * readiness).
 */
export function refreshedAtMost<T>(maxAgeMs: number, read: () => Promise<T>): () => Promise<T> {
  let last: { atMs: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.atMs > maxAgeMs) {
      const value = read();
      const entry = { atMs: now, value };
      last = entry;
      value.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.value;
  };
}
