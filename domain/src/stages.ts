/**
 * The business stages of an order (internal) and what a customer is told about each. Every
 * order is always in exactly one stage; the stage, not a flag soup, says what it waits for.
 */
export const ORDER_STAGES = [
  'AcceptedForProcessing',
  'AwaitingFraudDecision',
  'ManualReviewRequired',
  'InventoryHoldPending',
  'PaymentAuthorizationPending',
  'Confirmed',
  'ReadyForFulfillment',
  'Shipped',
  'Delivered',
  'Cancelled',
  'Rejected',
  'Failed',
] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];

export const TERMINAL_STAGES: readonly OrderStage[] = [
  'Delivered',
  'Cancelled',
  'Rejected',
  'Failed',
];
export const isTerminal = (stage: OrderStage): boolean => TERMINAL_STAGES.includes(stage);

export const CUSTOMER_STATUSES = [
  'RECEIVED',
  'UNDER_REVIEW',
  'CONFIRMED',
  'READY_TO_SHIP',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'REJECTED',
  'RETURN_REQUESTED',
  'RETURNED',
  'REFUNDED',
] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** The stage table of docs/architecture.md#the-stage-table, "customer sees" column. */
export const CUSTOMER_STATUS_OF_STAGE: Readonly<Record<OrderStage, CustomerStatus>> = {
  AcceptedForProcessing: 'RECEIVED',
  AwaitingFraudDecision: 'UNDER_REVIEW',
  ManualReviewRequired: 'UNDER_REVIEW',
  InventoryHoldPending: 'UNDER_REVIEW',
  PaymentAuthorizationPending: 'UNDER_REVIEW',
  Confirmed: 'CONFIRMED',
  ReadyForFulfillment: 'READY_TO_SHIP',
  Shipped: 'SHIPPED',
  Delivered: 'DELIVERED',
  Cancelled: 'CANCELLED',
  Rejected: 'REJECTED',
  Failed: 'CANCELLED',
};

export const CUSTOMER_STATUS_LABELS: Readonly<Record<CustomerStatus, string>> = {
  RECEIVED: 'We have received your order',
  UNDER_REVIEW: 'We are checking your order',
  CONFIRMED: 'Your order is confirmed',
  READY_TO_SHIP: 'Your order is being prepared for shipping',
  SHIPPED: 'Your order is on its way',
  DELIVERED: 'Your order was delivered',
  CANCELLED: 'Your order was cancelled',
  REJECTED: 'We could not accept your order',
  RETURN_REQUESTED: 'Your return is authorized: we are waiting for the parcel',
  RETURNED: 'Your return has arrived: your refund is on its way',
  REFUNDED: 'Your return was refunded',
};
