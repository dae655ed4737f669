/**
 * While the Black Friday scenario runs: reads orders as their customers would, judging every
 * CONFIRMED or READY_TO_SHIP read against what the warehouse and the payment gateway hold at
 * that moment (the shared rules of `../verify`), and the gateway's memory from its metrics; at
 * the end, the degraded mode's switches from its audit trail, each against its thresholds.
 */
import { type CustomerStatus, type DegradedModeConfig } from '@order-platform/domain';
import {
  type AuthorizationFact,
  authorizationsInLedger,
  delayExplained,
  type LedgerFact,
  PROMISING_STATUSES,
  promiseBacked,
  type ReservationFact,
  type Violation,
} from '../verify';
import { type ScenarioClient, type ScenarioTarget, sleep } from './black-friday-client';
import { isOpen, type OrderRecord } from './black-friday-load';

export interface DegradedSwitch {
  at: string;
  active: boolean;
  reason: string;
}

export function watchPlatform(
  http: ScenarioClient,
  operator: string,
  orders: Map<string, OrderRecord>,
  target: ScenarioTarget,
  since: Date,
) {
  let running = true;
  const observed = {
    switches: [] as DegradedSwitch[],
    thresholdProblems: [] as string[],
    peakRss: 0,
    confirmedReads: 0,
    /** Reads that failed while the platform was under load (reported, not fatal). */
    failedReads: 0,
  };
  const confirmedRead = () => (observed.confirmedReads += 1);
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

    const open = [...orders.values()].filter(isOpen);
    for (const order of open.slice(cursor % Math.max(open.length, 1)).slice(0, 25)) {
      await readAsCustomer(http, order, confirmedRead);
    }
    cursor += 25;
  }
  return {
    async stop({ final }: { final: boolean }) {
      running = false;
      await loop;
      if (!final) return observed;
      // The last word on each order, and on the mode's switches as audited.
      for (const order of orders.values()) await readAsCustomer(http, order, confirmedRead);
      Object.assign(observed, await degradedSwitches(http, operator, since));
      return observed;
    },
  };
}

async function readAsCustomer(
  http: ScenarioClient,
  order: OrderRecord,
  confirmedRead: () => void,
): Promise<void> {
  const response = await http.gateway('GET', `/v1/orders/${order.orderId}`, order.customer.token);
  if (response.status !== 200) return;
  const view = response.body as {
    status: CustomerStatus;
    delayed?: boolean;
    delayReason?: string | null;
  };
  order.status = view.status;
  if (view.delayed) order.everDelayed = true;
  const unexplained = delayExplained({ orderId: order.orderId, ...view });
  if (!order.readViolations.some((v) => v.rule === 'delayed-without-reason'))
    order.readViolations.push(...unexplained);
  if (!PROMISING_STATUSES.includes(view.status)) return;
  confirmedRead();
  if ((await promiseAgainstHoldsNow(http, order.orderId, view.status)).length === 0) return;
  // Only a lie if the order still says so (it may have been cancelled meanwhile).
  const again = await http.gateway(
    'GET',
    `/v1/orders/${order.orderId}?consistency=strong`,
    order.customer.token,
  );
  const status = (again.body as { status: CustomerStatus }).status;
  order.readViolations.push(...(await promiseAgainstHoldsNow(http, order.orderId, status)));
}

/** A read of `status` judged against the warehouse and the payment gateway as they stand now. */
async function promiseAgainstHoldsNow(
  http: ScenarioClient,
  orderId: string,
  status: CustomerStatus,
): Promise<Violation[]> {
  if (!PROMISING_STATUSES.includes(status)) return [];
  const reservations = await reservationsOf(http, orderId);
  const { authorizations } = await paymentsOf(http, orderId, 'unvoided');
  return promiseBacked({
    orderId,
    status,
    at: new Date().toISOString(),
    reservations,
    authorizations,
  });
}

export const reservationsOf = async (http: ScenarioClient, orderId: string) =>
  (await http.sim('GET', `/warehouse/reservations?orderId=${orderId}`)) as ReservationFact[];

/**
 * The order's ledger and its authorizations as the gateway reports them now (expired and
 * captured ones included); `unvoided` asks the gateway only about those the ledger left open.
 */
export async function paymentsOf(
  http: ScenarioClient,
  orderId: string,
  which: 'all' | 'unvoided' = 'all',
): Promise<{ ledger: LedgerFact[]; authorizations: AuthorizationFact[] }> {
  const ledger = (await http.sim('GET', `/payments/ledger?orderId=${orderId}`)) as LedgerFact[];
  const authorizations: AuthorizationFact[] = [];
  for (const fromLedger of authorizationsInLedger(ledger)) {
    if (which === 'unvoided' && fromLedger.state === 'voided') continue;
    const now = (await http.sim(
      'GET',
      `/payments/authorizations/${fromLedger.authorizationId}`,
    )) as AuthorizationFact;
    authorizations.push(now);
  }
  return { ledger, authorizations };
}

/** The mode's switches since the scenario began, oldest first, each checked against its thresholds. */
async function degradedSwitches(http: ScenarioClient, operator: string, since: Date) {
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
  const switches: DegradedSwitch[] = ours
    .filter((c) => c.action !== 'degraded-mode.configure')
    .reverse()
    .map((c) => ({
      at: c.at,
      active: c.action === 'degraded-mode.on',
      reason: c.details.reason ?? '',
    }));
  const thresholdProblems: string[] = [];
  for (const change of ours) {
    const { backlog, thresholds } = change.details;
    if (!backlog || !thresholds) continue;
    const share = backlog.waiting === 0 ? 0 : backlog.overdue / backlog.waiting;
    if (change.action === 'degraded-mode.on') {
      const passes =
        backlog.overdue >= thresholds.enterWhen.overdueCount ||
        (backlog.waiting >= thresholds.minWaiting && share >= thresholds.enterWhen.overdueShare);
      if (!passes)
        thresholdProblems.push(`switched on below the threshold (${JSON.stringify(backlog)})`);
    }
    if (change.action === 'degraded-mode.off') {
      const below =
        backlog.overdue <= thresholds.exitWhen.overdueCount &&
        share <= thresholds.exitWhen.overdueShare;
      if (!below)
        thresholdProblems.push(`switched off above the threshold (${JSON.stringify(backlog)})`);
    }
  }
  return { switches, thresholdProblems };
}
