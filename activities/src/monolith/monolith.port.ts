/**
 * The legacy monolith, as the platform tells it what it decided for a stage it now owns ("new":
 * decide, act, tell the monolith). Only what the monolith offers for deferral is here.
 */

/** The platform's fraud decision for an order the monolith holds for one. */
export interface FraudDecisionHandOver {
  orderId: string;
  decision: 'approve' | 'reject';
  reference: string;
}

export interface MonolithPort {
  /**
   * Hands the monolith the platform's fraud decision for an order it is holding for one.
   * @returns accepted false when the monolith did not defer (it had already decided itself)
   */
  decideFraud(request: FraudDecisionHandOver): Promise<{ accepted: boolean }>;
}
