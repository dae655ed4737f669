import { activityOf, failureOf } from '../testing/activity-environment';
import { createMonolithActivities } from './monolith.activities';

const decision = { orderId: 'o-1', decision: 'approve' as const, reference: 'fraud-1' };

describe('telling the monolith the platform’s fraud decision', () => {
  it('hands the decision over, and says when the monolith had decided itself', async () => {
    const told: unknown[] = [];
    const { tellMonolithFraudDecision } = createMonolithActivities({
      monolith: {
        decideFraud: async (request) => {
          told.push(request);
          return { accepted: told.length === 1 };
        },
        recordOutcome: async () => ({ accepted: true }),
      },
    });
    expect(await activityOf().run(tellMonolithFraudDecision, decision)).toEqual({
      accepted: true,
    });
    expect(await activityOf().run(tellMonolithFraudDecision, decision)).toEqual({
      accepted: false,
    });
    expect(told).toEqual([decision, decision]);
  });

  it('retries while the monolith does not answer', async () => {
    const { tellMonolithFraudDecision } = createMonolithActivities({
      monolith: {
        decideFraud: async () => {
          throw new Error('503 Service Unavailable');
        },
        recordOutcome: async () => {
          throw new Error('503 Service Unavailable');
        },
      },
    });
    expect(await failureOf(activityOf().run(tellMonolithFraudDecision, decision))).toMatchObject({
      type: 'TransientFailure',
      nonRetryable: false,
    });
  });

  it('tells the monolith a stage’s outcome, passes its refusal on, and retries while it is down', async () => {
    const told: unknown[] = [];
    const { tellMonolithStageOutcome } = createMonolithActivities({
      monolith: {
        decideFraud: async () => ({ accepted: true }),
        recordOutcome: async (request) => {
          told.push(request);
          if (told.length === 3) throw new Error('503 Service Unavailable');
          return told.length === 1
            ? { accepted: true }
            : { accepted: false, reason: '409 invalid-transition' };
        },
      },
    });
    const reserved = { orderId: 'o-1', stage: 'inventory' as const, reservationId: 'res-1' };
    expect(await activityOf().run(tellMonolithStageOutcome, reserved)).toEqual({ accepted: true });
    expect(await activityOf().run(tellMonolithStageOutcome, reserved)).toEqual({
      accepted: false,
      reason: '409 invalid-transition',
    });
    expect(await failureOf(activityOf().run(tellMonolithStageOutcome, reserved))).toMatchObject({
      type: 'TransientFailure',
      nonRetryable: false,
    });
    expect(told).toEqual([reserved, reserved, reserved]);
  });
});
