/**
 * The platform's stores: one module per table or aggregate of the platform database, each the
 * only place SQL for its tables is written. The schema itself is `@order-platform/migrations`.
 */
export * from './connection';
export { OperatorAuditRecord } from './audit/operator-audit.entity';
export * from './audit/operator-audit';
export {
  OrderSubmissionRecord,
  START_STATES,
  type StartState,
} from './submissions/order-submission.entity';
export * from './submissions/order-submission.store';
export { OrderStatusRecord } from './order-status/order-status.entity';
export * from './order-status/order-status.projector';
export * from './order-status/order-status.store';
export * from './order-status/order-read-changes';
export * from './order-status/customer-order-cache';
export { StageRouteRecord } from './routes/stage-route.entity';
export * from './routes/stage-route.store';
export * from './comparisons/stage-comparison.store';
export * from './comparisons/comparison-report.store';
export {
  type FindingStatus,
  ReconciliationFindingRecord,
} from './findings/reconciliation-finding.entity';
export * from './findings/reconciliation-finding.store';
export * from './degraded-modes/degraded-mode.store';
export * from './inbox/inbox.store';
export * from './legacy-facts/parked-legacy-fact.store';
export { OperatorTaskRecord } from './operator-tasks/operator-task.entity';
export * from './operator-tasks/operator-task.store';
export * from './dead-letters/dead-letter.store';
export * from './admission/admission.store';
export * from './worker-circuits/worker-circuit.store';
export * from './personal-data/order-personal-data.store';
export * from './notifications/customer-notification.store';
export * from './support/least-recently-used';
