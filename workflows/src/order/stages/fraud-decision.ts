/**
 * The fraud decision: the route the degraded modes give at decision time (screen, a person
 * decides, or approve with a flag), the provider's screening raced against its asynchronous
 * answer and the fraud SLA, and what the policy does when the SLA runs out or the provider is
 * down. A manual review waits for an operator until its own deadline.
 */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { FRAUD_CIRCUIT_OPEN, type FraudRoute, type StagePolicy } from '@order-platform/domain';
import { platform, screeningRequest } from '../activities';
import { DEGRADED_MODES } from '../changes';
import { iso } from '../order-recorder';
import type { OrderRun } from '../run-context';
import { failureType, OrderEnds } from './ending';
import { releaseStock, waitForFact } from './holds';

type Verdict = { decision: 'approve' | 'reject' | 'review'; decidedBy: 'provider' | 'legacy' };

export async function decideFraud(run: OrderRun, policy: StagePolicy): Promise<void> {
  const { order, recorder, facts } = run;
  // Asked when deciding, not when the order started: a degraded mode switched on meanwhile
  // applies. The answer is an activity result, so a replay takes the same route.
  const route: FraudRoute = run.changes(DEGRADED_MODES)
    ? await platform.routeFraudDecision({ segment: order.segment, totalMinor: recorder.totalMinor })
    : { route: 'screen', fraudSlaMs: policy.fraudSlaMs, mode: null };
  const fraudSlaMs = route.route === 'screen' ? route.fraudSlaMs : policy.fraudSlaMs;
  const deadline = Date.now() + fraudSlaMs;
  await recorder.record({
    stage: 'AwaitingFraudDecision',
    deadline,
    events: [{ type: 'FraudReviewRequested', payload: { degradedMode: route.mode } }],
  });
  if (route.route === 'manual-review') {
    await recorder.record({
      events: [
        {
          type: 'FraudReviewDeferred',
          payload: { reason: 'DegradedMode', action: 'manual-review', mode: route.mode },
        },
      ],
    });
    return manualReview(run, policy, 'DegradedModeHighValue');
  }
  if (route.route === 'approve-with-flag') {
    // Approved now, flagged so the screening is looked at once the provider has caught up.
    recorder.commitments.fraud = {
      decision: 'approved',
      decidedBy: 'policy',
      flag: 'DegradedModeReviewLater',
      at: iso(Date.now()),
    };
    await recorder.record({
      events: [
        {
          type: 'FraudApproved',
          payload: { decidedBy: 'policy', flag: 'DegradedModeReviewLater', mode: route.mode },
        },
      ],
    });
    return;
  }
  let verdict: Verdict | undefined;
  let providerUnavailable = false;
  let circuitOpen = false;
  const scope = new CancellationScope();
  const call = scope.run(() =>
    run.downstreams.screening(fraudSlaMs)(screeningRequest(order, recorder.totalMinor)),
  );
  call.then(
    // 'pending': the provider queued it; its decision arrives later as a fraudDecision signal.
    (result) => {
      if (result.decision !== 'pending')
        verdict ??= { decision: result.decision, decidedBy: 'provider' };
    },
    (error) => {
      if (isCancellation(error)) return;
      if (failureType(error) === FRAUD_CIRCUIT_OPEN) circuitOpen = true;
      else providerUnavailable = true;
    },
  );
  const outcome = await waitForFact(
    run,
    () => {
      if (facts.fraud) return { decision: facts.fraud.decision, decidedBy: facts.fraud.decidedBy };
      if (verdict) return verdict;
      if (circuitOpen) return 'circuit-open' as const;
      return providerUnavailable ? ('unavailable' as const) : undefined;
    },
    deadline,
    'fraud',
  );
  scope.cancel();

  // The provider is failing for everyone: a person decides, rather than a retry storm.
  if (outcome === 'circuit-open') {
    await recorder.record({
      events: [
        {
          type: 'FraudReviewDeferred',
          payload: { reason: 'FraudCircuitOpen', action: 'manual-review' },
        },
      ],
    });
    return manualReview(run, policy, 'FraudCircuitOpen');
  }
  if (outcome === 'deadline' || outcome === 'unavailable')
    return deferFraudDecision(run, policy, outcome);
  if (outcome.decision === 'reject') throw new OrderEnds('Rejected', 'FraudRejected');
  if (outcome.decision === 'review')
    return manualReview(run, policy, 'FraudProviderAskedForReview');
  recorder.commitments.fraud = {
    decision: 'approved',
    decidedBy: outcome.decidedBy,
    at: iso(Date.now()),
  };
  await recorder.record({
    events: [{ type: 'FraudApproved', payload: { decidedBy: outcome.decidedBy } }],
  });
}

/** The fraud SLA ran out (or the provider is down): the policy decides, and the customer hears. */
async function deferFraudDecision(
  run: OrderRun,
  policy: StagePolicy,
  why: 'deadline' | 'unavailable',
): Promise<void> {
  const { recorder } = run;
  const reason = why === 'deadline' ? 'FraudSlaExpired' : 'FraudProviderUnavailable';
  const highValue = recorder.totalMinor >= policy.highValueThresholdMinor;
  const action = highValue ? 'manual-review' : policy.lowRiskOnFraudTimeout;
  await recorder.record({ events: [{ type: 'FraudReviewDeferred', payload: { reason, action } }] });
  if (action === 'manual-review') return manualReview(run, policy, reason);
  recorder.commitments.fraud = {
    decision: 'approved',
    decidedBy: 'policy',
    flag: reason,
    at: iso(Date.now()),
  };
  await recorder.record({
    events: [{ type: 'FraudApproved', payload: { decidedBy: 'policy', flag: reason } }],
  });
}

async function manualReview(run: OrderRun, policy: StagePolicy, reason: string): Promise<void> {
  const { recorder, facts } = run;
  const deadline = Date.now() + policy.manualReviewDeadlineMs;
  // A stock hold would lapse long before a person decides: release it now, re-reserve after.
  if (recorder.commitments.stock?.state === 'reserved')
    await releaseStock(run, 'HeldThroughManualReview');
  await recorder.record({
    stage: 'ManualReviewRequired',
    deadline,
    reason,
    needsAttention: 'ManualReview',
    events: [{ type: 'ManualReviewRequired', payload: { reason } }],
  });
  await run.notify('delayed');
  const decision = await waitForFact(run, () => facts.review, deadline, 'review');
  if (decision === 'deadline') throw new OrderEnds('Cancelled', 'ManualReviewDeadlinePassed');
  const { operatorId, note } = decision;
  await recorder.record({
    needsAttention: '',
    events: [
      { type: 'ManualReviewDecided', payload: { decision: decision.decision, operatorId, note } },
    ],
  });
  if (decision.decision === 'reject') throw new OrderEnds('Rejected', 'RejectedInManualReview');
  recorder.commitments.fraud = {
    decision: 'approved',
    decidedBy: 'manual-review',
    at: iso(Date.now()),
  };
  await recorder.record({
    events: [{ type: 'FraudApproved', payload: { decidedBy: 'manual-review', operatorId } }],
  });
}
