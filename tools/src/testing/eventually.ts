/**
 * Polls `probe` until it gives a value, for what end-to-end suites wait on (a projection, a
 * verdict, a status). A probe that throws counts as "not yet" (a query before the first workflow
 * task, say); at the deadline it fails with what it waited for and the last error, if any.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`waited ${timeoutMs} ms for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Re-reads two sides (a page and the API, say) until they say the same, for a shared stack that
 * moves on between two reads: they must agree on one refresh, not necessarily on the first. The
 * second side is given what the first said. At the deadline it fails with what each last said.
 */
export async function eventuallyAgree<T>(
  what: string,
  oneSide: () => Promise<T>,
  otherSide: (oneSaid: T) => Promise<unknown>,
  options?: { timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  let last = 'nothing read';
  try {
    await eventually(
      what,
      async () => {
        const one = await oneSide();
        const [said, other] = [JSON.stringify(one), JSON.stringify(await otherSide(one))];
        last = `one side ${said}, the other ${other}`;
        return said === other ? true : undefined;
      },
      options,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last read: ${last}`);
  }
}
