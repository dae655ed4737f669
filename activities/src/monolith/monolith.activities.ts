/**
 * The monolith context's activities: telling the legacy monolith what the platform decided and
 * did for a stage it owns now. The legacy order workflow schedules them on the order task queue.
 */
import { portActivity } from '../port-activity';
import type { FraudDecisionHandOver, MonolithPort, StageOutcomeHandOver } from './monolith.port';

export function createMonolithActivities(ports: { monolith: MonolithPort }) {
  return {
    tellMonolithFraudDecision: portActivity((_, input: FraudDecisionHandOver) =>
      ports.monolith.decideFraud(input),
    ),
    tellMonolithStageOutcome: portActivity((_, input: StageOutcomeHandOver) =>
      ports.monolith.recordOutcome(input),
    ),
  };
}

export type MonolithActivities = ReturnType<typeof createMonolithActivities>;
