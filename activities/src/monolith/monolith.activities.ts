/**
 * The monolith context's activity: telling the legacy monolith what the platform decided for a
 * stage it owns now. The legacy order workflow schedules it on the order task queue.
 */
import { portActivity } from '../port-activity';
import type { FraudDecisionHandOver, MonolithPort } from './monolith.port';

export function createMonolithActivities(ports: { monolith: MonolithPort }) {
  return {
    tellMonolithFraudDecision: portActivity((_, input: FraudDecisionHandOver) =>
      ports.monolith.decideFraud(input),
    ),
  };
}

export type MonolithActivities = ReturnType<typeof createMonolithActivities>;
