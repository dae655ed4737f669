/**
 * The Black Friday scenario's checks, once the backlog drained: each order's facts gathered
 * from the outside world (the warehouse's reservations, the payment ledger and authorizations,
 * the notifications sent, the lifecycle on Kafka) and judged by the shared rules of `../verify`,
 * then the scenario's own verdicts on degrading, shedding, draining and reconciling.
 */
import { type NotificationKind, TOPICS } from '@order-platform/domain';
import { readTopic } from '../testing/topic-reader';
import {
  type AuthorizationFact,
  authorizationLapses,
  authorizationsLapsedUnused,
  chargedOnce,
  confirmedAfterFraudApproval,
  describeViolation,
  lapsedAndReplaced,
  type LedgerFact,
  neverCapturedWhenUndone,
  neverShippedWithoutCapture,
  PROMISING_STATUSES,
  type ReservationFact,
  reservationLapses,
  refundsWithinCapture,
  reservationsLapsedUnused,
  type Standing,
  standingOfStatus,
  stockHeldAsPromised,
  toldOnceAndConsistently,
  toldWhatHappened,
  type Violation,
} from '../verify';
import { type ScenarioClient, type ScenarioTarget } from './black-friday-client';
import { type Counts, isOpen, type OrderRecord } from './black-friday-load';
import type { ReconciliationOutcome } from './black-friday-operator';
import { type Check, countByStatus, mb, percent } from './black-friday-report';
import type { ScenarioSettings } from './black-friday-settings';
import { type DegradedSwitch, paymentsOf, reservationsOf } from './black-friday-watch';

export interface OrderFacts {
  order: OrderRecord;
  standing: Standing;
  reservations: ReservationFact[];
  ledger: LedgerFact[];
  authorizations: AuthorizationFact[];
  told: NotificationKind[];
}

export async function gatherFacts(http: ScenarioClient, all: OrderRecord[]): Promise<OrderFacts[]> {
  const facts: OrderFacts[] = [];
  for (const order of all) {
    const { orderId } = order;
    facts.push({
      order,
      standing: order.status === undefined ? 'in-flight' : standingOfStatus(order.status),
      reservations: await reservationsOf(http, orderId),
      ...(await paymentsOf(http, orderId)),
      told: (
        (await http.sim('GET', `/notifications?orderId=${orderId}`)) as { kind: NotificationKind }[]
      ).map((n) => n.kind),
    });
  }
  return facts;
}

const shown = (violations: Violation[]) => violations.slice(0, 5).map(describeViolation).join('; ');

/** Each confirmed order's lifecycle on Kafka: FraudApproved came before OrderConfirmed. */
export async function lifecycleViolations(
  target: ScenarioTarget,
  all: OrderRecord[],
): Promise<Violation[]> {
  const confirmed = new Set(
    all
      .filter((o) => o.status !== undefined && PROMISING_STATUSES.includes(o.status))
      .map((o) => o.orderId),
  );
  if (confirmed.size === 0) return [];
  const seen = new Set<string>();
  const records = await readTopic({
    brokers: target.kafkaBrokers,
    topic: TOPICS.orderLifecycle,
    accept: (record) => confirmed.has(record.key ?? ''),
    // Called after each accepted record: only the newest is new (re-reading them all was
    // quadratic, past the timeout at 3,000 orders).
    until: (accepted) => {
      const newest = accepted[accepted.length - 1]!;
      if (JSON.parse(newest.value).eventType === 'OrderConfirmed') seen.add(newest.key!);
      return seen.size >= confirmed.size;
    },
    timeoutMs: 60_000,
  });
  const eventTypes = new Map<string, string[]>();
  for (const r of records) {
    const types = eventTypes.get(r.key!) ?? [];
    types.push(JSON.parse(r.value).eventType as string);
    eventTypes.set(r.key!, types);
  }
  return [...confirmed].flatMap((orderId) =>
    confirmedAfterFraudApproval(orderId, eventTypes.get(orderId) ?? []),
  );
}

export function truthfulCheck(
  all: OrderRecord[],
  lifecycle: Violation[],
  confirmedReads: number,
): Check {
  const broken = [
    ...all.flatMap((o) => o.readViolations.filter((v) => v.rule === 'promised-without-holds')),
    ...lifecycle,
  ];
  return {
    name: 'no customer read CONFIRMED without stock, payment and fraud approval held',
    // Vacuous unless customers did read confirmations.
    passed: broken.length === 0 && confirmedReads > 0,
    detail:
      shown(broken) ||
      `${confirmedReads} CONFIRMED/READY_TO_SHIP reads checked against the ledger and the warehouse`,
  };
}

/**
 * Every hold was used, released or renewed: a reservation or authorization that ran out is
 * only acceptable when a newer one replaced it (the workflow renews a lapsed hold) or the order
 * ended holding nothing; one that lapsed while the order still counted on it is a finding.
 */
export function staleHoldsCheck(facts: OrderFacts[]): Check {
  const broken = facts.flatMap(({ order, standing, reservations, authorizations }) => [
    ...reservationsLapsedUnused(order.orderId, reservations, standing),
    ...authorizationsLapsedUnused(order.orderId, authorizations, standing),
  ]);
  const count = (pick: (f: OrderFacts) => number) => facts.reduce((n, f) => n + pick(f), 0);
  const renewed = count(
    (f) =>
      lapsedAndReplaced(reservationLapses(f.reservations), f.standing) +
      lapsedAndReplaced(authorizationLapses(f.authorizations), f.standing),
  );
  return {
    name: 'no reservation or authorization outlived its TTL unused (each used, released or renewed)',
    passed: broken.length === 0,
    detail:
      shown(broken) ||
      `${count((f) => f.reservations.length)} reservations and ${count((f) => f.authorizations.length)} authorizations: each used, released, voided, still valid or renewed (${renewed} lapsed and were replaced)`,
  };
}

export function chargedOnceCheck(facts: OrderFacts[]): Check {
  const broken = facts.flatMap(({ order, standing, ledger, authorizations, reservations }) => [
    ...chargedOnce({ orderId: order.orderId, standing, ledger, authorizations }),
    ...neverCapturedWhenUndone(order.orderId, standing, ledger),
    ...neverShippedWithoutCapture(order.orderId, standing, ledger),
    ...refundsWithinCapture(order.orderId, ledger),
    ...stockHeldAsPromised({ orderId: order.orderId, standing, reservations }),
  ]);
  return {
    name: 'nobody was charged twice, early or for an undone order, no parcel left uncaptured, no refund exceeded its capture, and each order holds the stock its status promises',
    passed: broken.length === 0,
    detail:
      shown(broken) ||
      `${facts.length} orders: at most one live authorization each, no capture before shipping and none missing after, nothing held or captured after cancelling or rejecting, refunds within the capture`,
  };
}

export function notificationsCheck(facts: OrderFacts[]): Check {
  const broken = facts.flatMap(({ order, standing, told }) => [
    ...toldOnceAndConsistently(order.orderId, told),
    ...toldWhatHappened({
      orderId: order.orderId,
      told,
      standing,
      wentToManualReview: order.manualReview,
    }),
    ...order.readViolations.filter((v) => v.rule === 'delayed-without-reason'),
  ]);
  const late = facts.filter((f) => f.order.everDelayed || f.order.manualReview).length;
  const notifications = facts.reduce((n, f) => n + f.told.length, 0);
  return {
    name: 'every late order was told so, and nobody was told contradictions',
    passed: broken.length === 0,
    detail:
      shown(broken) ||
      `${late} late orders, each told 'delayed' with a reason; ${notifications} notifications in a consistent order`,
  };
}

export function degradedModeCheck(switches: DegradedSwitch[], thresholdProblems: string[]): Check {
  const on = switches.find((s) => s.active);
  const off = switches.find((s) => !s.active && on && s.at > on.at);
  return {
    name: 'the degraded mode switched on and off at its thresholds',
    passed: Boolean(on && off) && thresholdProblems.length === 0,
    detail:
      thresholdProblems.join('; ') ||
      switches.map((s) => `${s.active ? 'on' : 'off'} at ${s.at}: ${s.reason}`).join(' | ') ||
      'it never switched',
  };
}

/**
 * 429s, each with its Retry-After, and a bounded gateway. With the scenario's small admission
 * bound it must have shed; with the platform's defaults it need not.
 */
export function admissionCheck(counts: Counts, peakRss: number, settings: ScenarioSettings): Check {
  const mustShed = settings.admissionMaxPending !== null;
  return {
    name: mustShed
      ? 'admission shed load with 429s and the gateway memory stayed bounded'
      : 'every 429 said when to come back, and the gateway memory stayed bounded',
    passed:
      (counts.shed > 0 || !mustShed) &&
      counts.shedWithoutRetryAfter === 0 &&
      peakRss > 0 &&
      peakRss < settings.gatewayMemoryCapBytes,
    detail: `${counts.shed} refusals with Retry-After (${counts.shedWithoutRetryAfter} without); gateway peak RSS ${mb(peakRss)} (cap ${mb(settings.gatewayMemoryCapBytes)})`,
  };
}

/** Customers turned away are the cost of a platform that cannot keep up (issue 16's bar). */
export function gaveUpCheck(counts: Counts, maxShare: number): Check {
  const share = counts.submitted === 0 ? 0 : counts.gaveUp / counts.submitted;
  return {
    name: `at most ${percent(maxShare, 1)} of customers gave up after three 429s`,
    passed: counts.submitted > 0 && share <= maxShare,
    detail: `${counts.gaveUp} of ${counts.submitted} customers gave up (${percent(counts.gaveUp, counts.submitted)}); ${counts.shed} refusals in all`,
  };
}

export function drainCheck(
  all: OrderRecord[],
  drainMs: number | null,
  settings: ScenarioSettings,
): Check {
  const ready = all.filter((o) => o.status === 'READY_TO_SHIP').length;
  return {
    name: 'the backlog drained after recovery, and the orders went through',
    passed: drainMs !== null && ready >= all.length * 0.8,
    detail:
      drainMs === null
        ? `still open after ${settings.drainTimeoutMs} ms: ${countByStatus(all.filter(isOpen))}`
        : `every admitted order settled ${Math.round(drainMs / 100) / 10} s after the provider recovered; ${ready} of ${all.length} ready to ship`,
  };
}

/**
 * Nothing queued for an operator, by a run that judged every authorization of the scenario: its
 * authorization grace is the short one the scenario waited out, not a longer one that would
 * have left them all alone.
 */
export function reconciliationCheck(
  reconciliation: ReconciliationOutcome | null,
  authorizationGraceMs: number,
): Check {
  const judged = reconciliation?.grace?.authorizationMs === authorizationGraceMs;
  return {
    name: 'reconciliation judged every authorization and found nothing left to repair (or repaired it)',
    passed: reconciliation !== null && judged && reconciliation.queued === 0,
    detail:
      reconciliation === null
        ? 'the run did not complete'
        : `inspected ${reconciliation.inspected}, repaired ${reconciliation.repaired}, queued for an operator ${reconciliation.queued}${reconciliation.examples}; grace ${JSON.stringify(reconciliation.grace ?? null)} (authorizations judged after ${authorizationGraceMs} ms expected)`,
  };
}
