/**
 * The order's search attributes as typed keys, and the one function that fills them: the
 * workflow upserts them on every change, and whoever starts an order sets them at the start, so
 * the order is findable by stage (and counted by admission) before a worker has picked it up.
 */
import {
  defineSearchAttributeKey,
  type SearchAttributePair,
  SearchAttributeType,
  type SearchAttributeUpdatePair,
  TypedSearchAttributes,
} from '@temporalio/common';
import {
  type MigrationRoute,
  type OrderStage,
  type ReturnSearchFields,
} from '@order-platform/domain';

export const ORDER_SEARCH_ATTRIBUTE_KEYS = {
  OrderStage: defineSearchAttributeKey('OrderStage', SearchAttributeType.KEYWORD),
  StageEnteredAt: defineSearchAttributeKey('StageEnteredAt', SearchAttributeType.DATETIME),
  StageDeadline: defineSearchAttributeKey('StageDeadline', SearchAttributeType.DATETIME),
  CustomerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  OrderValue: defineSearchAttributeKey('OrderValue', SearchAttributeType.DOUBLE),
  MigrationRoute: defineSearchAttributeKey('MigrationRoute', SearchAttributeType.KEYWORD),
  NeedsAttention: defineSearchAttributeKey('NeedsAttention', SearchAttributeType.KEYWORD),
  ReturnState: defineSearchAttributeKey('ReturnState', SearchAttributeType.KEYWORD),
  ReturnDeadline: defineSearchAttributeKey('ReturnDeadline', SearchAttributeType.DATETIME),
} as const;

export interface OrderSearchFields {
  stage: OrderStage;
  stageEnteredAt: Date;
  /** null: unset, so `StageDeadline < now` finds only orders that really are late. */
  stageDeadline: Date | null;
  customerId: string;
  totalMinor: number;
  /** A route, or per stage for monolith orders: `fraud=new,inventory=legacy,...`. */
  migrationRoute: MigrationRoute | string | null;
  needsAttention: string;
}

/** Every attribute; a null value unsets it. */
export function orderSearchAttributes(fields: OrderSearchFields): SearchAttributeUpdatePair[] {
  const keys = ORDER_SEARCH_ATTRIBUTE_KEYS;
  return [
    { key: keys.OrderStage, value: fields.stage },
    { key: keys.StageEnteredAt, value: fields.stageEnteredAt },
    { key: keys.StageDeadline, value: fields.stageDeadline },
    { key: keys.CustomerId, value: fields.customerId },
    { key: keys.OrderValue, value: fields.totalMinor / 100 },
    { key: keys.MigrationRoute, value: fields.migrationRoute },
    { key: keys.NeedsAttention, value: fields.needsAttention },
  ];
}

/** The returns' attributes (stages/returns.ts); a null value unsets it. */
export function returnSearchAttributes(fields: ReturnSearchFields): SearchAttributeUpdatePair[] {
  const keys = ORDER_SEARCH_ATTRIBUTE_KEYS;
  return [
    { key: keys.ReturnState, value: fields.state },
    {
      key: keys.ReturnDeadline,
      value: fields.deadline === null ? null : new Date(fields.deadline),
    },
  ];
}

/** The attributes a workflow starts with (a start sets values; it cannot unset). */
export const startingSearchAttributes = (fields: OrderSearchFields): TypedSearchAttributes =>
  new TypedSearchAttributes(
    orderSearchAttributes(fields).filter(
      (pair): pair is SearchAttributePair => pair.value !== null,
    ),
  );
