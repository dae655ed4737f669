/**
 * The public entry of order/: the pieces of an order's run that any workflow following an order
 * (the platform's own, the legacy one) builds on. Other folders import from here, never from
 * order/'s files. The order workflow itself is registered through workflows/src/index.ts.
 */
export { bulkheads, type Bulkheads, mustHappen, platform, screeningRequest } from './activities';
export * from './messages';
export { type Change, iso, OrderRecorder } from './order-recorder';
export { type OrderFacts, type OrderRun, rejectInvalidOrder, startOrderRun } from './run-context';
export { type Compensation, Saga } from './saga';
export { waitForFactOrDeadline } from './wait';
export {
  continueUndoingAsNew,
  resumeUndoing,
  type UndoingCarriedOver,
  unknownCompensation,
} from './stages/undoing';
export { undoAuthorization, undoReservation, undoShipment, type UndoContext } from './undo-steps';
