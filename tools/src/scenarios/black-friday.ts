/**
 * The Black Friday scenario: a burst of orders while the fraud provider's latency climbs far
 * past the fraud SLA, then recovers. It drives a running platform through its public doors
 * only (the gateway's API as customers and as an operator, the simulators' dials and records,
 * the lifecycle topic) and checks what the issue promised:
 * - nobody read CONFIRMED without the stock, the payment and the fraud approval really held;
 * - no reservation or authorization outlived its TTL unused;
 * - nobody was charged twice, early or for an undone order, no parcel left uncaptured, no refund
 *   exceeded its capture, and each order holds the stock its status promises;
 * - every late order was told so (`delayed` with a reason), and nobody was told contradictions;
 * - the degraded mode switched on and off at its thresholds;
 * - admission shed load with 429s while the gateway's memory stayed bounded;
 * - the backlog drained after recovery (the time it took is reported);
 * - reconciliation found nothing left to repair, or repaired it and says what.
 * The order invariants are the shared rules of `../verify`. The pieces: the world dials
 * (`black-friday-settings.ts`), the offered load (`-load`), the watch while it runs (`-watch`),
 * the operator (`-operator`), the checks (`-checks`) and the report (`-report`).
 * `npm run scenario:black-friday` runs the full form; `black-friday.int-spec.ts` a short one.
 */
import { mintToken } from '@order-platform/runtime';
import {
  admissionCheck,
  chargedOnceCheck,
  degradedModeCheck,
  drainCheck,
  gatherFacts,
  gaveUpCheck,
  lifecycleViolations,
  notificationsCheck,
  reconciliationCheck,
  staleHoldsCheck,
  truthfulCheck,
} from './black-friday-checks';
import { type ScenarioTarget, scenarioClient, sleep } from './black-friday-client';
import { type Counts, makeCustomers, type OrderRecord, submit } from './black-friday-load';
import { approveManualReviews, reconcile, waitForDrain } from './black-friday-operator';
import { percent, type ScenarioReport } from './black-friday-report';
import { AUTHORIZATION_GRACE_MS, type ScenarioSettings } from './black-friday-settings';
import { watchPlatform } from './black-friday-watch';

export async function runBlackFriday(
  target: ScenarioTarget,
  settings: ScenarioSettings,
  log: (line: string) => void = () => undefined,
): Promise<ScenarioReport> {
  const http = scenarioClient(target);
  const operator = await mintToken(
    { subject: 'black-friday-operator', roles: ['operator'] },
    target.tokenKeys,
  );
  const customers = await makeCustomers(target, settings.customers);
  const orders = new Map<string, OrderRecord>();
  const startedAt = new Date();

  log('an operator sets the degraded mode thresholds for the day');
  await http.expect(200, 'PUT', '/v1/ops/degraded-modes/fraud-backlog', operator, {
    config: settings.degradedMode,
    reason: 'Black Friday: thresholds for the scenario',
  });
  await http.sim('PUT', '/fraud/settings', { latencyMs: 0 });
  // Enough stock for the day: the scenario is about fraud, not about selling out. The first
  // sku is the expensive one (manual review territory); the others cost 20.00 to 30.00.
  const skus = Array.from({ length: 6 }, (_, n) => `BF-${customers[0]!.id}-${n}`);
  for (const [n, sku] of skus.entries()) {
    await http.sim('PUT', `/warehouse/stock/${sku}`, { onHand: settings.orders });
    await http.sim('PUT', `/catalogue/products/${sku}`, {
      priceMinor: n === 0 ? 650_000 : 2_000 + (n - 1) * 250,
      currency: 'EUR',
    });
  }

  const watch = watchPlatform(http, operator, orders, target, startedAt);
  try {
    return await drive();
  } finally {
    // On any failure too: no reader left polling, and the provider back to normal.
    await watch.stop({ final: false }).catch(() => undefined);
    await http.sim('PUT', '/fraud/settings', { latencyMs: 0 }).catch(() => undefined);
  }

  /**
   * Each order offered at its time, `overMs / orders` apart, whether or not the ones before were
   * answered; a minute's progress logged as it goes. The first failure stops the offering.
   */
  async function offerSpread(overMs: number, offer: (i: number) => Promise<void>): Promise<void> {
    log(
      `${settings.orders} orders from ${settings.customers} customers over ${Math.round(overMs / 1000)} s`,
    );
    const began = Date.now();
    const failures: unknown[] = [];
    const offered: Promise<void>[] = [];
    let loggedAt = began;
    for (let i = 0; i < settings.orders && failures.length === 0; i++) {
      const wait = began + (i * overMs) / settings.orders - Date.now();
      if (wait > 0) await sleep(wait);
      offered.push(offer(i).catch((error: unknown) => void failures.push(error)));
      if (Date.now() - loggedAt >= 60_000) {
        loggedAt = Date.now();
        log(`offered ${i + 1} of ${settings.orders}, ${orders.size} admitted so far`);
      }
    }
    await Promise.all(offered);
    if (failures.length > 0) throw failures[0];
  }

  async function drive(): Promise<ScenarioReport> {
    const counts: Counts = {
      submitted: 0,
      admitted: 0,
      shed: 0,
      shedWithoutRetryAfter: 0,
      gaveUp: 0,
    };
    const latency = (async () => {
      for (const latencyMs of settings.latencySteps) {
        log(`fraud provider latency now ${latencyMs} ms (SLA ${settings.fraudSlaMs} ms)`);
        await http.sim('PUT', '/fraud/settings', { latencyMs });
        await sleep(settings.stepMs);
      }
    })();

    const offer = async (i: number): Promise<void> => {
      const record = await submit(http, customers[i % customers.length]!, skus, i, counts);
      if (record) orders.set(record.orderId, record);
    };
    if (settings.offerOverMs === null) {
      log(
        `${settings.orders} orders from ${settings.customers} customers, ${settings.concurrency} at a time`,
      );
      let next = 0;
      await Promise.all(
        Array.from({ length: settings.concurrency }, async () => {
          for (let i = next++; i < settings.orders; i = next++) await offer(i);
        }),
      );
    } else {
      await offerSpread(settings.offerOverMs, offer);
    }
    await latency;
    log(
      `offered ${counts.submitted}: admitted ${counts.admitted}, gave up ${counts.gaveUp} (${percent(counts.gaveUp, counts.submitted)})`,
    );
    const recoveredAt = Date.now();
    log('the fraud provider recovers');
    await http.sim('PUT', '/fraud/settings', { latencyMs: 0 });

    const manualReviews = await approveManualReviews(http, operator, orders, log);
    const drainMs = await waitForDrain(orders, settings.drainTimeoutMs, recoveredAt, async () => {
      await approveManualReviews(http, operator, orders, log);
    });
    log(drainMs === null ? 'the backlog did not drain in time' : `drained in ${drainMs} ms`);
    const settledAt = Date.now();
    const observed = await watch.stop({ final: true });

    log('checking the outside world: holdings, payments, notifications, lifecycle events');
    const all = [...orders.values()];
    const lifecycle = await lifecycleViolations(target, all);
    const facts = await gatherFacts(http, all);
    const checks = [
      truthfulCheck(all, lifecycle, observed.confirmedReads),
      staleHoldsCheck(facts),
      chargedOnceCheck(facts),
      notificationsCheck(facts),
      degradedModeCheck(observed.switches, observed.thresholdProblems),
      admissionCheck(counts, observed.peakRss, settings),
      ...(settings.maxGaveUpShare === null ? [] : [gaveUpCheck(counts, settings.maxGaveUpShare)]),
      drainCheck(all, drainMs, settings),
    ];
    // Reconciliation judges an authorization only once it is past the minimum grace the worker
    // derives from the payment SLA: wait until every authorization of the scenario is.
    const judgeable = settledAt + AUTHORIZATION_GRACE_MS - Date.now();
    if (judgeable > 0) {
      log(
        `reconciling in ${Math.ceil(judgeable / 1000)} s, once every authorization is past its grace`,
      );
      await sleep(judgeable);
    }
    const reconciliation = await reconcile(http, operator, startedAt, settings.drainTimeoutMs);
    checks.push(reconciliationCheck(reconciliation, AUTHORIZATION_GRACE_MS));

    const outcomes: Record<string, number> = {};
    for (const order of all)
      outcomes[order.status ?? 'unknown'] = (outcomes[order.status ?? 'unknown'] ?? 0) + 1;
    return {
      settings,
      submitted: counts.submitted,
      admitted: counts.admitted,
      shed: counts.shed,
      gaveUp: counts.gaveUp,
      degradedSwitches: observed.switches,
      gatewayPeakRssBytes: observed.peakRss,
      drainMs,
      manualReviews,
      outcomes,
      reconciliation: reconciliation && {
        inspected: reconciliation.inspected,
        repaired: reconciliation.repaired,
        queued: reconciliation.queued,
      },
      checks,
      passed: checks.every((c) => c.passed),
    };
  }
}
