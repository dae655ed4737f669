/**
 * The order workflow's changes since its first release, each shipped behind a patch. A patch
 * costs every run two history events (its marker, and the upsert of `TemporalChangeVersion`
 * that Temporal's core adds and the server indexes), so by now a new order paid 14 events for
 * its seven. A run started since CONSOLIDATED records that one patch instead, and it stands for
 * every change in CONSOLIDATED_CHANGES; a run started before it (its history lacks that marker:
 * a replay, or an order still open when the new workers came) asks each change as it always did.
 * A change made from now on is asked with `patched()` in every run, and joins a list like this
 * one only in a later consolidation, under a new id.
 */
import { patched } from '@temporalio/workflow';

/**
 * Patch: the point of no return is enforced (docs/architecture.md#the-point-of-no-return):
 * facts of one task apply in arrival order, a cancel first recalls the shipment and is
 * overturned when the parcel had left, compensations undo in reverse-dependency order, and the
 * read model learns of a dispatch before the capture.
 */
export const POINT_OF_NO_RETURN = 'point-of-no-return';
/** Patch: manual review decisions come as an update; older runs also take the signal. */
export const OPERATOR_DECISIONS_AS_UPDATES = 'operator-decisions-as-updates';
/** Patch: returns after dispatch (stages/returns.ts); the run stays open for the return window. */
export const RETURNS = 'returns';
/**
 * Patch: compensations fail closed (saga.ts): a permanent failure is not retried but flagged
 * for an operator task; transient ones back off to a cap; a long undoing continues as new.
 */
export const COMPENSATIONS_FAIL_CLOSED = 'compensations-fail-closed';
/** Patch: a change is published and projected by one activity; older runs use one per event. */
export const RECORD_IN_ONE_ACTIVITY = 'record-in-one-activity';
/** Patch: that one activity is a local activity; older runs schedule it on the task queue. */
export const RECORD_AS_LOCAL_ACTIVITY = 'record-as-local-activity';
/** Patch: the fraud route is asked at decision time (degraded modes); older runs always screen. */
export const DEGRADED_MODES = 'degraded-modes';
/** Patch: the returns' search attributes (`ReturnState`, `ReturnDeadline`) are upserted. */
export const RETURN_SEARCH_ATTRIBUTES = 'return-search-attributes';

const CONSOLIDATED = 'order-changes-consolidated-2026-11-30';
const CONSOLIDATED_CHANGES: readonly string[] = [
  POINT_OF_NO_RETURN,
  OPERATOR_DECISIONS_AS_UPDATES,
  RETURNS,
  COMPENSATIONS_FAIL_CLOSED,
  RECORD_IN_ONE_ACTIVITY,
  RECORD_AS_LOCAL_ACTIVITY,
  DEGRADED_MODES,
  RETURN_SEARCH_ATTRIBUTES,
];

/** Whether this run has a change: `patched()`'s answer, or the consolidation's. */
export type RunChanges = (change: string) => boolean;

/** Asked once, first thing in a run, before any change is: which changes the run has. */
export function orderRunChanges(): RunChanges {
  if (patched(CONSOLIDATED))
    return (change) => CONSOLIDATED_CHANGES.includes(change) || patched(change);
  return patched;
}
