/**
 * The fraud context's activity, run on the fraud bulkhead: screening an order. The provider may
 * keep it in its queue for long, so the activity heartbeats and stops the wait when cancelled.
 */
import { stepActivity } from '../port-activity';
import type { FraudPort } from './fraud.port';

export function createFraudActivities(ports: { fraud: FraudPort }) {
  return {
    screenOrder: stepActivity(ports.fraud.screen.bind(ports.fraud), { heartbeat: true }),
  };
}

export type FraudActivities = ReturnType<typeof createFraudActivities>;
