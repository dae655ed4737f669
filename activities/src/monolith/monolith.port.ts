/**
 * The legacy monolith, as the platform tells it what it decided and did for a stage it now owns
 * ("new": decide, act, tell the monolith). Only what the monolith offers for hand-over is here;
 * each call is idempotent in the monolith (told again, it answers as before).
 */

/** The platform's fraud decision for an order the monolith holds for one. */
export interface FraudDecisionHandOver {
  orderId: string;
  decision: 'approve' | 'reject';
  reference: string;
}

/** The platform's outcome of a handed-over stage, for the monolith to record. */
export type StageOutcomeHandOver =
  | { orderId: string; stage: 'inventory'; reservationId: string }
  | { orderId: string; stage: 'inventory'; outcome: 'unavailable' }
  | { orderId: string; stage: 'payment'; paymentReference: string; amountMinor: number }
  | { orderId: string; stage: 'payment'; outcome: 'declined' }
  | { orderId: string; stage: 'fulfilment'; shipmentId: string; state: 'dispatched' | 'delivered' }
  | { orderId: string; stage: 'notification'; kind: string; reference: string }
  /**
   * The platform failed the stage for good (a call refused, not a business decline): the
   * monolith ends the order (the sample monolith cancels it with the reason).
   */
  | { orderId: string; stage: FailableStage; outcome: 'failed'; reason: string };

/** The handed-over stages whose failure the monolith is told: those it waits on. */
export type FailableStage = 'inventory' | 'payment' | 'fulfilment';

export interface MonolithPort {
  /**
   * Hands the monolith the platform's fraud decision for an order it is holding for one.
   * @returns accepted false when the monolith did not defer (it had already decided itself)
   */
  decideFraud(request: FraudDecisionHandOver): Promise<{ accepted: boolean }>;
  /**
   * Tells the monolith what the platform did for a stage the order handed over.
   * @returns accepted false when the monolith refused it (the order did not hand the stage over,
   *   or moved on: it was cancelled meanwhile)
   */
  recordOutcome(request: StageOutcomeHandOver): Promise<{ accepted: boolean; reason?: string }>;
}
