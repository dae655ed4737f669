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
      },
    });
    expect(await failureOf(activityOf().run(tellMonolithFraudDecision, decision))).toMatchObject({
      type: 'TransientFailure',
      nonRetryable: false,
    });
  });
});
