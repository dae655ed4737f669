/**
 * The Black Friday scenario's size options and the checks they switch: the full form's defaults
 * (issue 16's 3,000 orders over 10 minutes with the platform's admission defaults), bad options
 * refused with a reason, and the give-up bar judged on the customers who were offered an order.
 */
import { admissionCheck, gaveUpCheck } from './black-friday-checks';
import type { Counts } from './black-friday-load';
import { fullForm, loadOptions, scenarioAppEnv, SHORT_FORM } from './black-friday-settings';

const counts = (overrides: Partial<Counts>): Counts => ({
  submitted: 0,
  admitted: 0,
  shed: 0,
  shedWithoutRetryAfter: 0,
  gaveUp: 0,
  ...overrides,
});
const MB = 1024 * 1024;

describe('the Black Friday full form', () => {
  it('offers 3,000 orders over 10 minutes by default, under the platform’s admission defaults', () => {
    const settings = fullForm();
    expect(settings).toMatchObject({
      orders: 3_000,
      customers: 600,
      offerOverMs: 600_000,
      admissionMaxPending: null,
      maxGaveUpShare: 0.1,
    });
    // The provider's latency climbs over the whole offering, then recovers.
    expect(settings.stepMs * settings.latencySteps.length).toBe(600_000);
    const gateway = scenarioAppEnv(settings).gateway;
    expect(Object.keys(gateway).filter((name) => /^(ADMISSION|RATE_LIMIT)_/.test(name))).toEqual(
      [],
    );
  });

  it('takes its size and duration from --orders and --minutes', () => {
    const settings = fullForm(loadOptions({ orders: '600', minutes: '2.5' }));
    expect(settings).toMatchObject({ orders: 600, customers: 120, offerOverMs: 150_000 });
  });

  it.each([
    [{ orders: 'many' }, "--orders must be a number, got 'many'"],
    [{ orders: '' }, "--orders must be a number, got ''"],
    [{ minutes: 'Infinity' }, "--minutes must be a number, got 'Infinity'"],
  ])('refuses %j: %s', (options, reason) => {
    expect(() => loadOptions(options)).toThrow(reason);
  });

  it.each([
    [{ orders: 9 }, '--orders must be a whole number of at least 10, got 9'],
    [{ orders: 100.5 }, '--orders must be a whole number of at least 10, got 100.5'],
    [{ minutes: 0 }, '--minutes must be more than 0 and at most a day, got 0'],
    [{ minutes: -3 }, '--minutes must be more than 0 and at most a day, got -3'],
    [{ minutes: 2_000 }, '--minutes must be more than 0 and at most a day, got 2000'],
  ])('refuses %j: %s', (load, reason) => {
    expect(() => fullForm(load)).toThrow(reason);
  });

  it('keeps the short form as npm test runs it: a small bound that must shed, no give-up bar', () => {
    expect(SHORT_FORM).toMatchObject({
      orders: 90,
      concurrency: 12,
      offerOverMs: null,
      admissionMaxPending: 12,
      maxGaveUpShare: null,
    });
    expect(scenarioAppEnv(SHORT_FORM).gateway.ADMISSION_MAX_PENDING).toBe('12');
  });
});

describe('the give-up bar', () => {
  it('passes at 10 % of customers giving up and fails above it', () => {
    expect(gaveUpCheck(counts({ submitted: 3_000, gaveUp: 300 }), 0.1)).toMatchObject({
      passed: true,
      detail: expect.stringContaining('300 of 3000 customers gave up (10 %)'),
    });
    expect(gaveUpCheck(counts({ submitted: 3_000, gaveUp: 301 }), 0.1).passed).toBe(false);
  });

  it('fails a run that offered nothing rather than calling it a success', () => {
    expect(gaveUpCheck(counts({}), 0.1).passed).toBe(false);
  });
});

describe('the admission check', () => {
  it('requires shedding only where the scenario set a small bound', () => {
    const calm = counts({ submitted: 100, admitted: 100 });
    expect(admissionCheck(calm, 300 * MB, fullForm()).passed).toBe(true);
    expect(admissionCheck(calm, 300 * MB, SHORT_FORM).passed).toBe(false);
  });

  it('fails any 429 without a Retry-After, and an unbounded gateway, whatever the form', () => {
    const blind = counts({ submitted: 10, shed: 3, shedWithoutRetryAfter: 1 });
    expect(admissionCheck(blind, 300 * MB, fullForm()).passed).toBe(false);
    expect(admissionCheck(counts({ shed: 1 }), 900 * MB, fullForm()).passed).toBe(false);
  });
});
