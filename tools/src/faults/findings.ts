/**
 * What a fault audit found, by kind, each finding naming its order first (`<orderId>: what`):
 * the shared invariant rules' violations filed by rule, and the fault suite's own findings.
 */
import { describeViolation, type RuleName, type Violation } from '../verify';

export interface Findings {
  /** Acknowledged orders the platform does not know, or whose workflow died. */
  lost: string[];
  /** Neither finished nor in a stage that waits by design when the recovery window closed. */
  unsettled: string[];
  /**
   * More than one live hold or capture, money held or captured for an order that ended undone,
   * charged early, goods gone uncaptured, or a refund above its capture.
   */
  doubleCharges: string[];
  /** Stock created or destroyed or held wrongly, or a hold (stock or payment) that lapsed unused. */
  stock: string[];
  duplicateNotifications: string[];
  contradictoryNotifications: string[];
  /** A confirmed order whose customer was never told, or a reviewed one never told of the delay. */
  missingNotifications: string[];
  /** An order at rest telling its customer READY_TO_SHIP without every hold, or late without a reason. */
  untruthful: string[];
  /** The read model customers read disagrees with the workflow. */
  readModel: string[];
  /** A shadowed stage of a monolith order without exactly one matching verdict. */
  comparator: string[];
  /** Platform processes that died by themselves during the fault (restarted for the next one). */
  crashed: string[];
}

export const emptyFindings = (): Findings => ({
  lost: [],
  unsettled: [],
  doubleCharges: [],
  stock: [],
  duplicateNotifications: [],
  contradictoryNotifications: [],
  missingNotifications: [],
  untruthful: [],
  readModel: [],
  comparator: [],
  crashed: [],
});

/** Where each rule's violations are filed. */
const FINDING_OF_RULE: Readonly<Record<RuleName, keyof Findings>> = {
  'charged-twice': 'doubleCharges',
  'money-held-twice': 'doubleCharges',
  'charged-before-goods-left': 'doubleCharges',
  'money-held-after-undone': 'doubleCharges',
  'charged-for-followed-order': 'doubleCharges',
  'paid-for-other-than-kept': 'doubleCharges',
  'captured-for-undone-order': 'doubleCharges',
  'shipped-without-capture': 'doubleCharges',
  'refunded-above-capture': 'doubleCharges',
  'stock-held-wrongly': 'stock',
  'stock-reserved-for-followed-order': 'stock',
  'stock-not-conserved': 'stock',
  'hold-lapsed-unused': 'stock',
  'told-twice': 'duplicateNotifications',
  'told-contradiction': 'contradictoryNotifications',
  'not-told-confirmed': 'missingNotifications',
  'not-told-delayed': 'missingNotifications',
  'promised-without-holds': 'untruthful',
  'confirmed-before-fraud-approval': 'untruthful',
  'delayed-without-reason': 'untruthful',
};

export function file(findings: Findings, violations: Violation[]): void {
  for (const violation of violations)
    findings[FINDING_OF_RULE[violation.rule]].push(describeViolation(violation));
}
