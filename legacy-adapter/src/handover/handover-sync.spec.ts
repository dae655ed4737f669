import type { StageRoute } from '@order-platform/domain';
import { type HandoverShares, HandoverSync, handoverShares } from './handover-sync';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('the monolith’s hand-over following the routes', () => {
  it('hands over each stage’s new share, and nothing in legacy or shadow', () => {
    expect(
      handoverShares([
        { stage: 'fraud', mode: 'new', newPercent: 100 },
        { stage: 'inventory', mode: 'new', newPercent: 25 },
        { stage: 'payment', mode: 'shadow', newPercent: 100 },
      ]),
    ).toEqual({ fraud: 100, inventory: 25, payment: 0, fulfilment: 0, notification: 0 });
  });

  it('sets the monolith only when it differs, and keeps trying while it is down', async () => {
    let routes: StageRoute[] = [{ stage: 'payment', mode: 'new', newPercent: 40 }];
    let monolith: Partial<HandoverShares> = {};
    let down = false;
    const sets: HandoverShares[] = [];
    const warnings: string[] = [];
    const sync = new HandoverSync({
      routes: async () => routes,
      monolith: {
        current: async () => {
          if (down) throw new Error('ECONNREFUSED');
          return monolith;
        },
        set: async (shares) => {
          sets.push(shares);
          monolith = shares;
        },
      },
      intervalMs: 5,
      logger: { ...quiet, warn: (message) => warnings.push(message) },
    });
    expect(await sync.syncOnce()).toBe(true);
    expect(await sync.syncOnce()).toBe(false);
    expect(sets).toEqual([{ fraud: 0, inventory: 0, payment: 40, fulfilment: 0, notification: 0 }]);

    down = true;
    routes = [];
    sync.start();
    while (warnings.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    down = false;
    while (sets.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await sync.stop();
    // Rolled back while the monolith was down: it catches up once it answers.
    expect(monolith).toEqual({
      fraud: 0,
      inventory: 0,
      payment: 0,
      fulfilment: 0,
      notification: 0,
    });
  });
});
