/**
 * The Black Friday scenario: a burst of orders while the fraud provider's latency climbs far
 * past the fraud SLA, then recovers. It drives a running platform through its public doors
 * only (the gateway's API as customers and as an operator, the simulators' dials and records,
 * the lifecycle topic) and checks what the issue promised:
 * - nobody read CONFIRMED without the stock, the payment and the fraud approval really held;
 * - no reservation or authorization outlived its TTL unused;
 * - every late order was told so (`delayed` with a reason), and nobody was told contradictions;
 * - the degraded mode switched on and off at its thresholds;
 * - admission shed load with 429s while the gateway's memory stayed bounded;
 * - the backlog drained after recovery (the time it took is reported);
 * - reconciliation found nothing left to repair, or repaired it and says what.
 * `npm run scenario:black-friday` runs the full form; `black-friday.int-spec.ts` a short one.
 */
import { randomUUID } from 'node:crypto';
import {
  type CustomerSegment,
  DEFAULT_DEGRADED_MODE,
  type DegradedModeConfig,
  TOPICS,
  mayNotify,
  type NotificationKind,
} from '@order-platform/domain';
import { mintToken, type TokenKeys } from '@order-platform/runtime';
import { readTopic } from '../testing/topic-reader';

export interface ScenarioSettings {
  orders: number;
  customers: number;
  /** Customers submitting at the same time. */
  concurrency: number;
  fraudSlaMs: number;
  /** The fraud provider's latency, step by step, each held `stepMs`; then back to 0. */
  latencySteps: number[];
  stepMs: number;
  degradedMode: DegradedModeConfig;
  /** What the gateway admits before it sheds (ADMISSION_MAX_PENDING). */
  admissionMaxPending: number;
  /** After recovery, how long the backlog may take to drain before the scenario fails. */
  drainTimeoutMs: number;
  /** Peak resident memory of the gateway that counts as bounded. */
  gatewayMemoryCapBytes: number;
}

const degradedFor = (fraudSlaMs: number, enterCount: number): DegradedModeConfig => ({
  ...DEFAULT_DEGRADED_MODE,
  fraudTargetMs: Math.round(fraudSlaMs / 3),
  enterWhen: { overdueCount: enterCount, overdueShare: 0.5 },
  exitWhen: { overdueCount: 1, overdueShare: 0.1 },
  minWaiting: 5,
  minActiveMs: 15_000,
  deferredFraudSlaMs: 60_000,
});

/** In `npm test`: about two minutes on a 2-core machine. */
export const SHORT_FORM: ScenarioSettings = {
  orders: 90,
  customers: 30,
  concurrency: 12,
  fraudSlaMs: 4_000,
  latencySteps: [1_000, 6_000, 15_000],
  stepMs: 7_000,
  degradedMode: degradedFor(4_000, 8),
  admissionMaxPending: 12,
  drainTimeoutMs: 120_000,
  gatewayMemoryCapBytes: 512 * 1024 * 1024,
};

/** `npm run scenario:black-friday`: several minutes. */
export const FULL_FORM: ScenarioSettings = {
  orders: 600,
  customers: 150,
  concurrency: 24,
  fraudSlaMs: 10_000,
  latencySteps: [2_000, 8_000, 20_000, 40_000],
  stepMs: 20_000,
  degradedMode: degradedFor(10_000, 20),
  admissionMaxPending: 60,
  drainTimeoutMs: 300_000,
  gatewayMemoryCapBytes: 768 * 1024 * 1024,
};

/** The apps' settings the scenario needs: short SLAs, a fast monitor, a small admission bound. */
export function scenarioAppEnv(settings: ScenarioSettings) {
  const policy = {
    fraudSlaMs: settings.fraudSlaMs,
    reservationTtlMs: '45s',
    paymentSlaMs: '15s',
    manualReviewDeadlineMs: '30m',
    authorizationValidityMs: '30m',
  };
  return {
    worker: {
      STAGE_POLICY_OVERRIDES: JSON.stringify({
        standard: policy,
        vip: policy,
        'new-customer': policy,
      }),
      BACKLOG_MONITOR_INTERVAL_MS: '500',
    },
    gateway: {
      ADMISSION_MAX_PENDING: String(settings.admissionMaxPending),
      ADMISSION_MAX_PENDING_EXPEDITED: String(settings.admissionMaxPending * 2),
      ADMISSION_SAMPLE_MS: '500',
      RATE_LIMIT_ORDERS_BURST: '100',
      RATE_LIMIT_ORDERS_PER_MINUTE: '600',
      BACKLOG_SAMPLE_MS: '1000',
    },
  };
}

export interface ScenarioTarget {
  gatewayUrl: string;
  simulatorsUrl: string;
  kafkaBrokers: string[];
  tokenKeys: TokenKeys;
}

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

export interface ScenarioReport {
  settings: ScenarioSettings;
  submitted: number;
  admitted: number;
  shed: number;
  gaveUp: number;
  degradedSwitches: { at: string; active: boolean; reason: string }[];
  gatewayPeakRssBytes: number;
  drainMs: number | null;
  manualReviews: number;
  outcomes: Record<string, number>;
  reconciliation: { inspected: number; repaired: number; queued: number } | null;
  checks: Check[];
  passed: boolean;
}

interface OrderRecord {
  orderId: string;
  customer: Customer;
  status?: string;
  everDelayed: boolean;
  delayedWithoutReason: boolean;
  /** An operator decided it (it went to manual review). */
  manualReview: boolean;
  /** Times a customer read CONFIRMED/READY_TO_SHIP while the outside world did not hold all. */
  untruthfulReads: string[];
}

interface Customer {
  id: string;
  segment: CustomerSegment;
  token: string;
}

const CONFIRMED_STATUSES = ['CONFIRMED', 'READY_TO_SHIP'];
const SETTLED_STATUSES = ['READY_TO_SHIP', 'CANCELLED', 'REJECTED', 'SHIPPED', 'DELIVERED'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runBlackFriday(
  target: ScenarioTarget,
  settings: ScenarioSettings,
  log: (line: string) => void = () => undefined,
): Promise<ScenarioReport> {
  const http = client(target);
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
  // Enough stock for the day: the scenario is about fraud, not about selling out.
  const skus = Array.from({ length: 5 }, (_, n) => `BF-${customers[0]!.id}-${n + 1}`);
  for (const sku of skus)
    await http.sim('PUT', `/warehouse/stock/${sku}`, { onHand: settings.orders });

  const watch = watchPlatform(http, operator, orders, target, startedAt);
  try {
    return await drive();
  } finally {
    // On any failure too: no reader left polling, and the provider back to normal.
    await watch.stop({ final: false }).catch(() => undefined);
    await http.sim('PUT', '/fraud/settings', { latencyMs: 0 }).catch(() => undefined);
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

    log(
      `${settings.orders} orders from ${settings.customers} customers, ${settings.concurrency} at a time`,
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: settings.concurrency }, async () => {
        for (let i = next++; i < settings.orders; i = next++) {
          const record = await submit(http, customers[i % customers.length]!, skus, i, counts);
          if (record) orders.set(record.orderId, record);
        }
      }),
    );
    await latency;
    const recoveredAt = Date.now();
    log('the fraud provider recovers');
    await http.sim('PUT', '/fraud/settings', { latencyMs: 0 });

    const manualReviews = await approveManualReviews(http, operator, orders, log);
    const drainMs = await waitForDrain(orders, settings.drainTimeoutMs, recoveredAt, async () => {
      await approveManualReviews(http, operator, orders, log);
    });
    log(drainMs === null ? 'the backlog did not drain in time' : `drained in ${drainMs} ms`);
    const observed = await watch.stop({ final: true });

    log('checking the outside world: holdings, notifications, lifecycle events');
    const checks: Check[] = [];
    const all = [...orders.values()];
    const untruthful = all.flatMap((o) => o.untruthfulReads.map((r) => `${o.orderId}: ${r}`));
    const fraudUnheld = await confirmedWithoutFraudApproval(target, all);
    checks.push({
      name: 'no customer read CONFIRMED without stock, payment and fraud approval held',
      // Vacuous unless customers did read confirmations.
      passed: untruthful.length === 0 && fraudUnheld.length === 0 && observed.confirmedReads > 0,
      detail:
        [...untruthful, ...fraudUnheld].slice(0, 5).join('; ') ||
        `${observed.confirmedReads} CONFIRMED/READY_TO_SHIP reads checked against the ledger and the warehouse`,
    });
    const stale = await staleHolds(http, all);
    checks.push({
      name: 'no reservation or authorization outlived its TTL unused (each used, released or renewed)',
      passed: stale.problems.length === 0,
      detail:
        stale.problems.slice(0, 5).join('; ') ||
        `${stale.reservations} reservations and ${stale.authorizations} authorizations: each used, released, voided, still valid or renewed (${stale.renewed} lapsed and were replaced)`,
    });
    const told = await notificationProblems(http, all);
    checks.push({
      name: 'every late order was told so, and nobody was told contradictions',
      passed: told.problems.length === 0,
      detail:
        told.problems.slice(0, 5).join('; ') ||
        `${told.late} late orders, each told 'delayed' with a reason; ${told.notifications} notifications in a consistent order`,
    });
    const switches = observed.switches;
    const on = switches.find((s) => s.active);
    const off = switches.find((s) => !s.active && on && s.at > on.at);
    checks.push({
      name: 'the degraded mode switched on and off at its thresholds',
      passed: Boolean(on && off) && observed.thresholdProblems.length === 0,
      detail:
        observed.thresholdProblems.join('; ') ||
        switches.map((s) => `${s.active ? 'on' : 'off'} at ${s.at}: ${s.reason}`).join(' | ') ||
        'it never switched',
    });
    checks.push({
      name: 'admission shed load with 429s and the gateway memory stayed bounded',
      passed:
        counts.shed > 0 &&
        counts.shedWithoutRetryAfter === 0 &&
        observed.peakRss > 0 &&
        observed.peakRss < settings.gatewayMemoryCapBytes,
      detail: `${counts.shed} refusals with Retry-After (${counts.shedWithoutRetryAfter} without); gateway peak RSS ${mb(observed.peakRss)} (cap ${mb(settings.gatewayMemoryCapBytes)})`,
    });
    const confirmed = all.filter((o) => o.status === 'READY_TO_SHIP').length;
    checks.push({
      name: 'the backlog drained after recovery, and the orders went through',
      passed: drainMs !== null && confirmed >= all.length * 0.8,
      detail:
        drainMs === null
          ? `still open after ${settings.drainTimeoutMs} ms: ${summarise(all.filter((o) => !SETTLED_STATUSES.includes(o.status ?? '')))}`
          : `every admitted order settled ${Math.round(drainMs / 100) / 10} s after the provider recovered; ${confirmed} of ${all.length} ready to ship`,
    });
    const reconciliation = await reconcile(http, operator, startedAt, settings.drainTimeoutMs);
    checks.push({
      name: 'reconciliation found nothing left to repair (or repaired it)',
      passed: reconciliation !== null && reconciliation.queued === 0,
      detail:
        reconciliation === null
          ? 'the run did not complete'
          : `inspected ${reconciliation.inspected}, repaired ${reconciliation.repaired}, queued for an operator ${reconciliation.queued}${reconciliation.examples}`,
    });

    const outcomes: Record<string, number> = {};
    for (const order of all)
      outcomes[order.status ?? 'unknown'] = (outcomes[order.status ?? 'unknown'] ?? 0) + 1;
    return {
      settings,
      submitted: counts.submitted,
      admitted: counts.admitted,
      shed: counts.shed,
      gaveUp: counts.gaveUp,
      degradedSwitches: switches,
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

export function formatReport(report: ScenarioReport): string {
  const lines = [
    'Black Friday scenario',
    `  orders submitted ${report.submitted}, admitted ${report.admitted}, refused with 429 ${report.shed} times, given up ${report.gaveUp}`,
    `  outcomes: ${Object.entries(report.outcomes)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ')}; manual reviews decided by the operator: ${report.manualReviews}`,
    `  degraded mode: ${report.degradedSwitches.map((s) => `${s.active ? 'ON' : 'OFF'} ${s.at}`).join(' → ') || 'never switched'}`,
    `  time to drain after recovery: ${report.drainMs === null ? 'did not drain' : `${(report.drainMs / 1000).toFixed(1)} s`}`,
    `  gateway peak RSS: ${mb(report.gatewayPeakRssBytes)}`,
    '',
    ...report.checks.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name}\n        ${c.detail}`),
    '',
    report.passed ? 'all checks passed' : 'SOME CHECKS FAILED',
  ];
  return lines.join('\n');
}

// --- the pieces ---------------------------------------------------------------------------

function client(target: ScenarioTarget) {
  const call = async (
    base: string,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json =
      text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: json };
  };
  return {
    gateway: (
      method: string,
      path: string,
      token: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) => call(target.gatewayUrl, method, path, token, body, headers),
    async expect(status: number, method: string, path: string, token: string, body?: unknown) {
      const response = await call(target.gatewayUrl, method, path, token, body);
      if (response.status !== status)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async sim(method: string, path: string, body?: unknown) {
      const response = await call(target.simulatorsUrl, method, path, undefined, body);
      if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}
type Http = ReturnType<typeof client>;

async function makeCustomers(target: ScenarioTarget, count: number): Promise<Customer[]> {
  const run = randomUUID().slice(0, 8);
  // Most shoppers are standard; a fifth are known (vip), a fifth new (high risk).
  const segmentOf = (i: number): CustomerSegment =>
    i % 5 === 1 ? 'vip' : i % 5 === 3 ? 'new-customer' : 'standard';
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `bf-${run}-${i}`;
      const segment = segmentOf(i);
      const token = await mintToken(
        { subject: id, roles: ['customer'], segment },
        target.tokenKeys,
      );
      return { id, segment, token };
    }),
  );
}

/** One customer's order, retried after each 429 as its Retry-After says (a few times). */
async function submit(
  http: Http,
  customer: Customer,
  skus: string[],
  i: number,
  counts: Counts,
): Promise<OrderRecord | undefined> {
  // Every tenth order is expensive (manual review territory), every seventh expedited.
  const unitPrice = i % 10 === 0 ? 650_000 : 2_000 + (i % 7) * 500;
  const body = {
    items: [{ sku: skus[i % skus.length]!, quantity: 1, unitPrice }],
    currency: 'EUR',
    expedited: i % 7 === 0,
    shippingAddress: {
      name: customer.id,
      line1: `${i} Market Street`,
      city: 'Utrecht',
      postalCode: '3511 AB',
      country: 'NL',
    },
  };
  const key = randomUUID();
  counts.submitted += 1;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const response = await http.gateway('POST', '/v1/orders', customer.token, body, {
      'idempotency-key': key,
    });
    if (response.status === 202) {
      counts.admitted += 1;
      const orderId = (response.body as { orderId: string }).orderId;
      return {
        orderId,
        customer,
        everDelayed: false,
        delayedWithoutReason: false,
        manualReview: false,
        untruthfulReads: [],
      };
    }
    if (response.status !== 429)
      throw new Error(`submitting an order: ${response.status} ${JSON.stringify(response.body)}`);
    counts.shed += 1;
    const retryAfter = Number(response.headers.get('retry-after'));
    if (!(retryAfter > 0)) counts.shedWithoutRetryAfter += 1;
    await sleep(Math.min(retryAfter > 0 ? retryAfter : 1, 15) * 1000);
  }
  counts.gaveUp += 1;
  return undefined;
}
interface Counts {
  submitted: number;
  admitted: number;
  shed: number;
  shedWithoutRetryAfter: number;
  gaveUp: number;
}

/**
 * While the scenario runs: reads orders as their customers would (checking every CONFIRMED read
 * against the ledger and the warehouse at once) and the gateway's memory from its metrics; at
 * the end, the degraded mode's switches from its audit trail.
 */
function watchPlatform(
  http: Http,
  operator: string,
  orders: Map<string, OrderRecord>,
  target: ScenarioTarget,
  since: Date,
) {
  let running = true;
  const observed = {
    switches: [] as { at: string; active: boolean; reason: string }[],
    thresholdProblems: [] as string[],
    peakRss: 0,
    confirmedReads: 0,
    /** Reads that failed while the platform was under load (reported, not fatal). */
    failedReads: 0,
  };
  let cursor = 0;
  const loop = (async () => {
    while (running) {
      await sleep(300);
      await watchOnce().catch(() => (observed.failedReads += 1));
    }
  })();
  async function watchOnce() {
    const metrics = await fetch(`${target.gatewayUrl}/metrics`).then((r) => r.text());
    const rss = Number(
      /process_resident_memory_bytes (\d+(\.\d+)?(e\+\d+)?)/.exec(metrics)?.[1] ?? 0,
    );
    observed.peakRss = Math.max(observed.peakRss, rss);

    const open = [...orders.values()].filter((o) => !SETTLED_STATUSES.includes(o.status ?? ''));
    for (const order of open.slice(cursor % Math.max(open.length, 1)).slice(0, 25)) {
      await readAsCustomer(http, order, () => (observed.confirmedReads += 1));
    }
    cursor += 25;
  }
  return {
    async stop({ final }: { final: boolean }) {
      running = false;
      await loop;
      if (!final) return observed;
      // The last word on each order, and on the mode's switches as audited.
      for (const order of orders.values())
        await readAsCustomer(http, order, () => (observed.confirmedReads += 1));
      const audit = (await http.expect(200, 'GET', '/v1/ops/degraded-modes', operator)) as {
        changes: {
          at: string;
          action: string;
          details: {
            reason?: string;
            backlog?: { waiting: number; overdue: number };
            thresholds?: DegradedModeConfig;
          };
        }[];
      };
      const ours = audit.changes.filter((c) => Date.parse(c.at) >= since.getTime());
      observed.switches = ours
        .filter((c) => c.action !== 'degraded-mode.configure')
        .reverse()
        .map((c) => ({
          at: c.at,
          active: c.action === 'degraded-mode.on',
          reason: c.details.reason ?? '',
        }));
      for (const change of ours) {
        const { backlog, thresholds } = change.details;
        if (!backlog || !thresholds) continue;
        const share = backlog.waiting === 0 ? 0 : backlog.overdue / backlog.waiting;
        if (change.action === 'degraded-mode.on') {
          const passes =
            backlog.overdue >= thresholds.enterWhen.overdueCount ||
            (backlog.waiting >= thresholds.minWaiting &&
              share >= thresholds.enterWhen.overdueShare);
          if (!passes)
            observed.thresholdProblems.push(
              `switched on below the threshold (${JSON.stringify(backlog)})`,
            );
        }
        if (change.action === 'degraded-mode.off') {
          const below =
            backlog.overdue <= thresholds.exitWhen.overdueCount &&
            share <= thresholds.exitWhen.overdueShare;
          if (!below)
            observed.thresholdProblems.push(
              `switched off above the threshold (${JSON.stringify(backlog)})`,
            );
        }
      }
      return observed;
    },
  };

  async function readAsCustomer(http2: Http, order: OrderRecord, confirmedRead: () => void) {
    const response = await http2.gateway(
      'GET',
      `/v1/orders/${order.orderId}`,
      order.customer.token,
    );
    if (response.status !== 200) return;
    const view = response.body as {
      status: string;
      delayed?: boolean;
      delayReason?: string | null;
    };
    order.status = view.status;
    if (view.delayed) {
      order.everDelayed = true;
      if (!view.delayReason) order.delayedWithoutReason = true;
    }
    if (!CONFIRMED_STATUSES.includes(view.status)) return;
    confirmedRead();
    const held = await holdsNow(http2, order.orderId);
    if (held) return;
    // Only a lie if the order still says so (it may have been cancelled meanwhile).
    const again = await http2.gateway(
      'GET',
      `/v1/orders/${order.orderId}?consistency=strong`,
      order.customer.token,
    );
    if (
      CONFIRMED_STATUSES.includes((again.body as { status: string }).status) &&
      !(await holdsNow(http2, order.orderId))
    )
      order.untruthfulReads.push(`${view.status} while the ledger or warehouse held nothing`);
  }
}

interface Reservation {
  reservationId: string;
  state: string;
  expiresAt: string;
}
interface LedgerEntry {
  kind: string;
  reference: string;
}

/** Does the outside world hold stock (reserved or allocated) and a live or captured authorization? */
async function holdsNow(http: Http, orderId: string): Promise<boolean> {
  const reservations = (await http.sim(
    'GET',
    `/warehouse/reservations?orderId=${orderId}`,
  )) as Reservation[];
  const ledger = (await http.sim('GET', `/payments/ledger?orderId=${orderId}`)) as LedgerEntry[];
  const stock = reservations.some((r) => r.state === 'reserved' || r.state === 'allocated');
  const closed = new Set(ledger.filter((e) => e.kind === 'void').map((e) => e.reference));
  const payment = ledger.some((e) => e.kind === 'authorization' && !closed.has(e.reference));
  return stock && payment;
}

/** Each confirmed order's lifecycle on Kafka: FraudApproved came before OrderConfirmed. */
async function confirmedWithoutFraudApproval(
  target: ScenarioTarget,
  all: OrderRecord[],
): Promise<string[]> {
  const confirmed = new Set(
    all.filter((o) => CONFIRMED_STATUSES.includes(o.status ?? '')).map((o) => o.orderId),
  );
  if (confirmed.size === 0) return [];
  const seen = new Set<string>();
  const records = await readTopic({
    brokers: target.kafkaBrokers,
    topic: TOPICS.orderLifecycle,
    accept: (record) => confirmed.has(record.key ?? ''),
    until: (accepted) => {
      for (const r of accepted)
        if (JSON.parse(r.value).eventType === 'OrderConfirmed') seen.add(r.key!);
      return seen.size >= confirmed.size;
    },
    timeoutMs: 60_000,
  });
  const problems: string[] = [];
  for (const orderId of confirmed) {
    const types = records
      .filter((r) => r.key === orderId)
      .map((r) => JSON.parse(r.value).eventType as string);
    const approved = types.indexOf('FraudApproved');
    if (approved < 0 || approved > types.indexOf('OrderConfirmed'))
      problems.push(`${orderId}: confirmed without a fraud approval first (${types.join(' → ')})`);
  }
  return problems;
}

/**
 * Every hold was used, released or renewed: a reservation or authorization that ran out is
 * only acceptable when a newer one replaced it (the workflow renews a lapsed hold) or the order
 * ended holding nothing; one that lapsed while the order still counted on it is a finding.
 */
async function staleHolds(http: Http, all: OrderRecord[]) {
  const problems: string[] = [];
  let reservations = 0;
  let authorizations = 0;
  let renewed = 0;
  const ended = (order: OrderRecord) => ['CANCELLED', 'REJECTED'].includes(order.status ?? '');
  for (const order of all) {
    const held = (await http.sim(
      'GET',
      `/warehouse/reservations?orderId=${order.orderId}`,
    )) as Reservation[];
    reservations += held.length;
    held.forEach((r, i) => {
      if (r.state !== 'expired') return;
      if (i < held.length - 1 || ended(order)) renewed += 1;
      else problems.push(`${order.orderId}: reservation ${r.reservationId} lapsed unused`);
    });
    const ledger = (await http.sim(
      'GET',
      `/payments/ledger?orderId=${order.orderId}`,
    )) as LedgerEntry[];
    const granted = ledger.filter((e) => e.kind === 'authorization');
    authorizations += granted.length;
    for (const [i, entry] of granted.entries()) {
      const authorization = (await http.sim(
        'GET',
        `/payments/authorizations/${entry.reference}`,
      )) as { state: string };
      if (authorization.state !== 'expired') continue;
      if (i < granted.length - 1 || ended(order)) renewed += 1;
      else problems.push(`${order.orderId}: authorization ${entry.reference} expired unused`);
    }
  }
  return { problems, reservations, authorizations, renewed };
}

async function notificationProblems(http: Http, all: OrderRecord[]) {
  const problems: string[] = [];
  let late = 0;
  let notifications = 0;
  for (const order of all) {
    const sent = (await http.sim('GET', `/notifications?orderId=${order.orderId}`)) as {
      kind: NotificationKind;
    }[];
    notifications += sent.length;
    const told: NotificationKind[] = [];
    for (const { kind } of sent) {
      if (!mayNotify(told, kind))
        problems.push(`${order.orderId}: told '${kind}' after ${told.join(', ')}`);
      told.push(kind);
    }
    if (order.everDelayed) {
      late += 1;
      if (order.delayedWithoutReason)
        problems.push(`${order.orderId}: read 'delayed' without a reason`);
    }
    if (order.manualReview) {
      late += order.everDelayed ? 0 : 1;
      if (!told.includes('delayed'))
        problems.push(`${order.orderId}: went to manual review and was not told`);
    }
  }
  return { problems, late, notifications };
}

/** The operator catches up on manual reviews once the provider is back: approves ours. */
async function approveManualReviews(
  http: Http,
  operator: string,
  orders: Map<string, OrderRecord>,
  log: (line: string) => void,
): Promise<number> {
  let decided = 0;
  const listing = (await http.expect(
    200,
    'GET',
    '/v1/ops/orders?stage=ManualReviewRequired&limit=500',
    operator,
  )) as {
    orders: { orderId: string }[];
  };
  for (const { orderId } of listing.orders) {
    const order = orders.get(orderId);
    if (!order) continue; // not one of this scenario's
    order.manualReview = true;
    const response = await http.gateway('POST', `/v1/ops/orders/${orderId}/review`, operator, {
      decision: 'approve',
      note: 'Black Friday: reviewed after the provider recovered',
    });
    if (response.status < 300) decided += 1;
  }
  if (decided > 0) log(`the operator approved ${decided} manual reviews`);
  return decided;
}

async function waitForDrain(
  orders: Map<string, OrderRecord>,
  timeoutMs: number,
  since: number,
  meanwhile: () => Promise<void>,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = [...orders.values()].filter((o) => !SETTLED_STATUSES.includes(o.status ?? ''));
    if (open.length === 0) return Date.now() - since;
    await meanwhile();
    await sleep(500);
  }
  return null;
}

/**
 * A reconciliation run over the scenario's window, with the minimum grace (it refuses less): it
 * judges only holds older than that; it is paced, so it may take a while.
 */
async function reconcile(http: Http, operator: string, from: Date, timeoutMs: number) {
  const run = (await http.expect(202, 'POST', '/v1/ops/reconciliation/runs', operator, {
    from: from.toISOString(),
    to: new Date().toISOString(),
    ordersPerSecond: 100,
  })) as { runId: string };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = (await http.expect(
      200,
      'GET',
      `/v1/ops/reconciliation/runs/${run.runId}`,
      operator,
    )) as {
      status: string;
      summary?: {
        inspected: number;
        repaired: number;
        queued: number;
        examples: { orderId: string; kind: string; outcome: string }[];
      };
    };
    if (status.status !== 'running' && status.summary) {
      const examples = status.summary.examples
        .map((e) => ` ${e.kind} ${e.outcome} (${e.orderId})`)
        .join(';');
      return { ...status.summary, examples: examples ? `:${examples}` : '' };
    }
    await sleep(1000);
  }
  return null;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const summarise = (open: OrderRecord[]) => {
  const byStatus: Record<string, number> = {};
  for (const o of open) byStatus[o.status ?? 'unread'] = (byStatus[o.status ?? 'unread'] ?? 0) + 1;
  return Object.entries(byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
};
