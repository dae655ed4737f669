export * from './port-activity';
export * from './errors';
export * from './retry';
export * from './downstream-activities';
export * from './http-ports';
export * from './order-activities';
export * from './strangler-activities';
export * from './fraud/fraud.activities';
export * from './inventory/inventory.activities';
export * from './payment/payment.activities';
export * from './fulfillment/fulfillment.activities';
export * from './notifications/notifications.activities';
export * from './monolith/monolith.activities';
export type * from './fraud/fraud.port';
export type * from './inventory/inventory.port';
export type * from './payment/payment.port';
export type * from './fulfillment/fulfillment.port';
export type * from './notifications/notifications.port';
export type * from './monolith/monolith.port';
export type * from './lifecycle-events/lifecycle-events.port';
export type * from './read-model/read-model.port';
export {
  KafkaLifecyclePublisher,
  lifecycleMessage,
} from './lifecycle-events/kafka-lifecycle-publisher';
export { MonolithHttpAdapter } from './monolith/monolith.http-adapter';
export type { StageRouteReader } from './routing/stage-routes';
export * from './reconciliation-activities';
export type * from './reconciliation/holdings.port';
export { HoldingsHttpAdapter } from './reconciliation/holdings.http-adapter';
export { CircuitBreaker, CircuitOpenError, type CircuitState } from './fraud/circuit-breaker';
export { CircuitBreakingFraudPort } from './fraud/circuit-breaking-fraud';
export * from './backlog-monitor-activities';
