/**
 * Custom Temporal search attributes that let an operator find stuck orders in the Web UI, e.g.
 * `OrderStage = "AwaitingFraudDecision" AND StageDeadline < "<now>"`. Registered by the local
 * stack and docker-compose from this list; none is named `Status`, which clashes with the UI.
 */
export const ORDER_SEARCH_ATTRIBUTES = {
  OrderStage: 'Keyword',
  StageEnteredAt: 'Datetime',
  StageDeadline: 'Datetime',
  CustomerId: 'Keyword',
  OrderValue: 'Double',
  MigrationRoute: 'Keyword',
  NeedsAttention: 'Keyword',
  /** `open` while a return waits for its parcel or its refund, `settled` once all have ended. */
  ReturnState: 'Keyword',
  /** When the earliest parcel still awaited is due; unset when none is awaited. */
  ReturnDeadline: 'Datetime',
} as const;

export type OrderSearchAttributeName = keyof typeof ORDER_SEARCH_ATTRIBUTES;
export type SearchAttributeKind = (typeof ORDER_SEARCH_ATTRIBUTES)[OrderSearchAttributeName];
