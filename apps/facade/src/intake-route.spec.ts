import { createLogger } from '@order-platform/runtime';
import { IntakeRouteCache } from './intake-route';

describe("the facade's reading of intake's route", () => {
  const logger = createLogger('facade-test', 'error', () => undefined);
  let clock = 0;
  const now = () => clock;

  it('reads the store at most once per period, then again', async () => {
    const read = jest.fn().mockResolvedValue({ mode: 'new', newPercent: 30 });
    const cache = new IntakeRouteCache(read, 1_000, logger, now);
    clock = 0;
    expect(await cache.current()).toEqual({
      route: { mode: 'new', newPercent: 30 },
      source: 'store',
    });
    await Promise.all([cache.current(), cache.current()]);
    expect(read).toHaveBeenCalledTimes(1);
    clock = 1_000;
    read.mockResolvedValue({ mode: 'new', newPercent: 60 });
    expect((await cache.current()).route.newPercent).toBe(60);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps the last known route while the store is away, and retries it once per period', async () => {
    const read = jest.fn().mockResolvedValueOnce({ mode: 'new', newPercent: 50 });
    const cache = new IntakeRouteCache(read, 1_000, logger, now);
    clock = 0;
    await cache.current();
    read.mockRejectedValue(new Error('connection refused'));
    clock = 5_000;
    expect(await cache.current()).toEqual({
      route: { mode: 'new', newPercent: 50 },
      source: 'last-known',
    });
    expect(await cache.current()).toEqual({
      route: { mode: 'new', newPercent: 50 },
      source: 'last-known',
    });
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('sends everyone to the monolith when the store has never answered', async () => {
    const cache = new IntakeRouteCache(
      () => Promise.reject(new Error('connection refused')),
      1_000,
      logger,
      now,
    );
    expect(await cache.current()).toEqual({
      route: { mode: 'legacy', newPercent: 0 },
      source: 'default',
    });
  });

  it('reads no stored route as the default: every order to the monolith', async () => {
    const cache = new IntakeRouteCache(() => Promise.resolve(undefined), 1_000, logger, now);
    clock = 100_000;
    expect((await cache.current()).route).toEqual({ mode: 'legacy', newPercent: 0 });
  });
});
