import { MIGRATION_STAGES } from './legacy-events';
import {
  checkIntakeChange,
  checkPromotion,
  checkStageDependencies,
  routesWithHandOver,
  fnv1a32,
  intakeBucket,
  intakeSideFor,
  type PromotionRequest,
  rampBucket,
  routeForOrder,
  routesForOrder,
  type StageRoute,
} from './stage-routing';

const ids = (count: number, prefix = 'order') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i.toString(16).padStart(8, '0')}`);

const fraud = (mode: StageRoute['mode'], newPercent = 100): StageRoute => ({
  stage: 'fraud',
  mode,
  newPercent,
});

describe('strangler routing per order', () => {
  it('hashes with FNV-1a 32-bit over UTF-8, as any other language would', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('é')).toBe(fnv1a32('\u00e9'));
    expect(fnv1a32('é')).not.toBe(fnv1a32('e'));
  });

  it('routes every order alike in legacy and shadow, whatever the percentage', () => {
    for (const id of ids(200)) {
      expect(routeForOrder(id, fraud('legacy', 100))).toBe('legacy');
      expect(routeForOrder(id, fraud('shadow', 100))).toBe('shadow');
      expect(routeForOrder(id, fraud('new', 100))).toBe('new');
      expect(routeForOrder(id, fraud('new', 0))).toBe('shadow');
    }
  });

  it('is sticky: the same order always takes the same route', () => {
    for (const id of ids(500)) {
      expect(routeForOrder(id, fraud('new', 37))).toBe(routeForOrder(id, fraud('new', 37)));
      expect(rampBucket('fraud', id)).toBeGreaterThanOrEqual(0);
      expect(rampBucket('fraud', id)).toBeLessThan(100);
    }
  });

  it('only adds orders to the new side as the percentage rises', () => {
    const population = ids(2_000);
    let previous = new Set<string>();
    for (const percent of [0, 1, 5, 10, 25, 50, 75, 99, 100]) {
      const onNew = new Set(
        population.filter((id) => routeForOrder(id, fraud('new', percent)) === 'new'),
      );
      for (const id of previous) expect(onNew.has(id)).toBe(true);
      previous = onNew;
    }
    expect(previous.size).toBe(population.length);
  });

  it.each([1, 10, 25, 50, 90])(
    'sends close to %i %% of 10,000 orders to the new side',
    (percent) => {
      for (const stage of MIGRATION_STAGES) {
        const share =
          ids(10_000).filter(
            (id) => routeForOrder(id, { stage, mode: 'new', newPercent: percent }) === 'new',
          ).length / 100;
        expect(Math.abs(share - percent)).toBeLessThanOrEqual(1.5);
      }
    },
  );

  it('ramps each stage over different orders', () => {
    const population = ids(10_000, 'ord');
    const newFor = (stage: StageRoute['stage']) =>
      new Set(
        population.filter(
          (id) => routeForOrder(id, { stage, mode: 'new', newPercent: 10 }) === 'new',
        ),
      );
    const fraudNew = newFor('fraud');
    const paymentNew = newFor('payment');
    const both = [...fraudNew].filter((id) => paymentNew.has(id)).length;
    // Independent 10 % samples share about 1 % of the orders, not 10 %.
    expect(both).toBeLessThan(250);
  });

  it('routes all five stages of an order, a stage without a stored route as legacy', () => {
    expect(
      routesForOrder('o-1', [
        { stage: 'fraud', mode: 'legacy', newPercent: 100 },
        { stage: 'payment', mode: 'shadow', newPercent: 100 },
        { stage: 'inventory', mode: 'new', newPercent: 0 },
      ]),
    ).toEqual({
      fraud: 'legacy',
      inventory: 'shadow',
      payment: 'shadow',
      fulfilment: 'legacy',
      notification: 'legacy',
    });
  });
});

describe('the promotion guard', () => {
  const bar = { minMatchRate: 0.999, minSample: 1000 };
  const request = (overrides: Partial<PromotionRequest>): PromotionRequest => ({
    from: { mode: 'shadow', newPercent: 100 },
    to: { mode: 'new', newPercent: 10 },
    matchRate: 0.9995,
    sampleSize: 1000,
    bar,
    ...overrides,
  });

  it('promotes shadow to new when the stage clears the bar', () => {
    expect(checkPromotion(request({}))).toEqual({ allowed: true });
    expect(checkPromotion(request({ matchRate: 0.999 }))).toEqual({ allowed: true });
  });

  it('refuses below the match rate, saying the rate and the sample', () => {
    const verdict = checkPromotion(request({ matchRate: 0.9985 }));
    expect(verdict).toEqual({ allowed: false, reason: expect.stringContaining('99.85 %') });
    expect(verdict).toEqual({ allowed: false, reason: expect.stringContaining('1000') });
  });

  it('refuses on too small a sample, even a perfect one', () => {
    expect(checkPromotion(request({ matchRate: 1, sampleSize: 999 }))).toEqual({
      allowed: false,
      reason: expect.stringContaining('too few comparisons'),
    });
    expect(checkPromotion(request({ matchRate: null, sampleSize: 0 }))).toEqual({
      allowed: false,
      reason: expect.stringContaining('no comparisons yet'),
    });
  });

  it('guards raising the percentage, not lowering it', () => {
    const ramping = { from: { mode: 'new', newPercent: 10 }, matchRate: 0.5 } as const;
    expect(
      checkPromotion(request({ ...ramping, to: { mode: 'new', newPercent: 50 } })),
    ).toMatchObject({
      allowed: false,
    });
    expect(checkPromotion(request({ ...ramping, to: { mode: 'new', newPercent: 5 } }))).toEqual({
      allowed: true,
    });
    expect(checkPromotion(request({ ...ramping, to: { mode: 'new', newPercent: 10 } }))).toEqual({
      allowed: true,
    });
  });

  it('refuses legacy straight to new even with a perfect record', () => {
    expect(
      checkPromotion(request({ from: { mode: 'legacy', newPercent: 100 }, matchRate: 1 })),
    ).toEqual({ allowed: false, reason: expect.stringContaining('shadow first') });
  });

  it('lets an override reason through, but not a blank one', () => {
    const below = { matchRate: 0.5, overrideReason: 'differences are the known rounding fix' };
    expect(checkPromotion(request(below))).toEqual({ allowed: true });
    expect(
      checkPromotion(
        request({ from: { mode: 'legacy', newPercent: 100 }, overrideReason: 'greenfield stage' }),
      ),
    ).toEqual({ allowed: true });
    expect(checkPromotion(request({ matchRate: 0.5, overrideReason: '  ' }))).toMatchObject({
      allowed: false,
    });
  });

  it('never blocks a rollback or moving legacy to shadow', () => {
    const awful = { matchRate: 0, sampleSize: 0 };
    const moves: [PromotionRequest['from'], PromotionRequest['to']][] = [
      [
        { mode: 'new', newPercent: 100 },
        { mode: 'shadow', newPercent: 100 },
      ],
      [
        { mode: 'new', newPercent: 100 },
        { mode: 'legacy', newPercent: 100 },
      ],
      [
        { mode: 'shadow', newPercent: 100 },
        { mode: 'legacy', newPercent: 100 },
      ],
      [
        { mode: 'legacy', newPercent: 100 },
        { mode: 'shadow', newPercent: 100 },
      ],
      [
        { mode: 'new', newPercent: 50 },
        { mode: 'new', newPercent: 0 },
      ],
    ];
    for (const [from, to] of moves) {
      expect(checkPromotion(request({ ...awful, from, to }))).toEqual({ allowed: true });
    }
  });
});

describe('intake: the door a customer comes in by', () => {
  const customers = Array.from({ length: 2000 }, (_, i) => `c-${i}`);

  it('sends a customer the same way every time, and a higher share only moves more to the platform', () => {
    const platformAt = (newPercent: number) =>
      new Set(
        customers.filter((c) => intakeSideFor(c, { mode: 'new', newPercent }) === 'platform'),
      );
    const at20 = platformAt(20);
    const at50 = platformAt(50);
    for (const customer of at20) expect(at50.has(customer)).toBe(true);
    expect(at50.size / customers.length).toBeGreaterThan(0.45);
    expect(at50.size / customers.length).toBeLessThan(0.55);
    expect(platformAt(0).size).toBe(0);
    expect(platformAt(100).size).toBe(customers.length);
    // legacy is the monolith for everyone, whatever percentage is stored with it
    expect(
      customers.some((c) => intakeSideFor(c, { mode: 'legacy', newPercent: 100 }) !== 'monolith'),
    ).toBe(false);
  });

  it('is not the same ramp as a stage: the first customers at the door are not the first orders of fraud', () => {
    const sameBucket = customers.filter((c) => intakeBucket(c) === rampBucket('fraud', c));
    expect(sameBucket.length).toBeLessThan(customers.length / 20);
  });

  it('refuses shadow, guards giving the platform more customers, and never refuses a rollback', () => {
    const below = [{ stage: 'payment' as const, evidence: 'no comparisons yet' }];
    const none = { mode: 'legacy' as const, newPercent: 0 };
    const half = { mode: 'new' as const, newPercent: 50 };
    expect(
      checkIntakeChange({
        from: none,
        to: { mode: 'shadow', newPercent: 100 },
        stagesBelowBar: [],
      }),
    ).toMatchObject({ allowed: false, reason: expect.stringContaining('no shadow') });
    expect(checkIntakeChange({ from: none, to: half, stagesBelowBar: below })).toEqual({
      allowed: false,
      reason: expect.stringContaining(
        'payment (no comparisons yet) does not clear the promotion bar',
      ),
    });
    expect(checkIntakeChange({ from: none, to: half, stagesBelowBar: [] })).toEqual({
      allowed: true,
    });
    expect(
      checkIntakeChange({ from: none, to: half, stagesBelowBar: below, overrideReason: 'pilot' }),
    ).toEqual({ allowed: true });
    expect(checkIntakeChange({ from: half, to: none, stagesBelowBar: below })).toEqual({
      allowed: true,
    });
    expect(
      checkIntakeChange({ from: half, to: { mode: 'new', newPercent: 10 }, stagesBelowBar: below }),
    ).toEqual({ allowed: true });
  });
});

describe('the dependency guard', () => {
  const newAt = (newPercent: number) => ({ mode: 'new' as const, newPercent });
  const shadow = { mode: 'shadow' as const, newPercent: 100 };
  const legacy = { mode: 'legacy' as const, newPercent: 100 };

  it('lets fraud, inventory, payment and notification move alone, in any order', () => {
    for (const stage of ['fraud', 'inventory', 'payment', 'notification'] as const) {
      expect(checkStageDependencies({ [stage]: newAt(100) })).toEqual({ allowed: true });
      expect(checkStageDependencies({ [stage]: newAt(5) })).toEqual({ allowed: true });
    }
    expect(checkStageDependencies({ inventory: newAt(100), payment: legacy })).toEqual({
      allowed: true,
    });
    expect(checkStageDependencies({ payment: newAt(100), inventory: shadow })).toEqual({
      allowed: true,
    });
  });

  it('refuses fulfilment on the platform while inventory or payment stays with the monolith for some orders', () => {
    const refused = checkStageDependencies({
      fulfilment: newAt(10),
      inventory: newAt(100),
      payment: newAt(99),
    });
    expect(refused).toEqual({ allowed: false, reason: expect.stringContaining('needs payment') });
    expect(refused.allowed || refused.reason).toMatch(/captures on dispatch/);
    expect(checkStageDependencies({ fulfilment: newAt(100), payment: newAt(100) })).toEqual({
      allowed: false,
      reason: expect.stringContaining('needs inventory new at 100 % (it is legacy)'),
    });
  });

  it('allows fulfilment at any share once inventory and payment are new for every order', () => {
    for (const share of [1, 50, 100]) {
      expect(
        checkStageDependencies({
          fulfilment: newAt(share),
          inventory: newAt(100),
          payment: newAt(100),
        }),
      ).toEqual({ allowed: true });
    }
  });

  it('refuses rolling back a stage that a new stage depends on, and names the way out', () => {
    const rollback = checkStageDependencies({
      fulfilment: newAt(100),
      inventory: shadow,
      payment: newAt(100),
    });
    expect(rollback).toEqual({
      allowed: false,
      reason: expect.stringContaining('or fulfilment back first'),
    });
    // Fulfilment in shadow or at 0 % takes no order: nothing to split.
    for (const fulfilment of [shadow, legacy, newAt(0)]) {
      expect(checkStageDependencies({ fulfilment, inventory: legacy })).toEqual({ allowed: true });
    }
  });
});

describe('a monolith order’s routes with its hand-over', () => {
  const table = {
    fraud: 'new',
    inventory: 'shadow',
    payment: 'legacy',
    fulfilment: 'new',
    notification: 'legacy',
  } as const;

  it('gives the platform every stage the monolith waits for, and keeps the others from acting twice', () => {
    expect(routesWithHandOver(table, ['fraud', 'payment'])).toEqual({
      routes: {
        fraud: 'new',
        inventory: 'shadow',
        payment: 'new',
        fulfilment: 'shadow',
        notification: 'legacy',
      },
      kept: ['fulfilment'],
    });
  });

  it('leaves the routes alone when the monolith does not say', () => {
    expect(routesWithHandOver(table, undefined)).toEqual({ routes: table, kept: [] });
    expect(routesWithHandOver(table, []).routes.fraud).toBe('shadow');
  });
});
