/**
 * Workflows that exist only to prove the local stack is real: one upserts every order search
 * attribute (so visibility queries can find it), one sleeps a day (so time skipping shows).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

export interface StackSmokeInput {
  stage: string;
  customerId: string;
  orderValue: number;
}

export async function searchableSmokeWorkflow(input: StackSmokeInput): Promise<string> {
  const now = new Date(workflowInfo().startTime);
  upsertSearchAttributes([
    {
      key: defineSearchAttributeKey('OrderStage', SearchAttributeType.KEYWORD),
      value: input.stage,
    },
    { key: defineSearchAttributeKey('StageEnteredAt', SearchAttributeType.DATETIME), value: now },
    { key: defineSearchAttributeKey('StageDeadline', SearchAttributeType.DATETIME), value: now },
    {
      key: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
      value: input.customerId,
    },
    {
      key: defineSearchAttributeKey('OrderValue', SearchAttributeType.DOUBLE),
      value: input.orderValue,
    },
    { key: defineSearchAttributeKey('MigrationRoute', SearchAttributeType.KEYWORD), value: 'new' },
    { key: defineSearchAttributeKey('NeedsAttention', SearchAttributeType.KEYWORD), value: '' },
  ]);
  return input.stage;
}

/** Sleeps one day of workflow time and returns how much workflow time passed, in ms. */
export async function dayLongSleepWorkflow(): Promise<number> {
  const before = Date.now();
  await sleep('1 day');
  return Date.now() - before;
}
