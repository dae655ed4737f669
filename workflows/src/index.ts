/**
 * The workflows the worker registers (this file is the bundle's entry point: everything it
 * imports runs in Temporal's deterministic sandbox), and the messages clients send them.
 */
export { orderLifecycle } from './order/order-lifecycle.workflow';
export * from './order/messages';
export * from './order/search-attributes';
export { legacyOrderLifecycle, legacyFactSignal } from './legacy/legacy-order.workflow';
export * from './reconciliation/reconciliation.workflow';
export * from './backlog-monitor/backlog-monitor.workflow';
export * from './order/start-options';
export { DOWNSTREAM_CALL_BUDGET_MS } from './retry-policies';
