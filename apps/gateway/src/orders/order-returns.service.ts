/**
 * Returns after dispatch, asked of the order's workflow: its `requestReturn` update's validator
 * is the one authority on whether a return is allowed (dispatched, within the return window, no
 * more than was bought and not already returned). The Idempotency-Key is the update's id, so a
 * repeated request is answered with the same return and authorizes nothing twice.
 */
import { Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { workflowIdForOrder } from '@order-platform/domain';
import { OrderStatusStore } from '@order-platform/stores';
import { orderStatusQuery, requestReturnUpdate } from '@order-platform/workflows';
import type { Principal } from '../auth/tokens';
import { asDetail, Problem, problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { ReturnRequestBody } from './order-api.schemas';
import { returnResponse, type ReturnResponse } from './order-response';

@Injectable()
export class OrderReturnsService {
  constructor(
    private readonly temporal: Client,
    private readonly orders: OrderStatusStore,
  ) {}

  async request(
    principal: Principal,
    orderId: string,
    idempotencyKey: string,
    body: ReturnRequestBody,
  ): Promise<ReturnResponse> {
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    // Ownership first: a stranger learns nothing about the order.
    const stored = await this.orders.findCustomerOrder(principal.subject, orderId);
    try {
      if (!stored) {
        const view = await callTemporal(this.temporal, () => handle.query(orderStatusQuery));
        if (view.customerId !== principal.subject) throw problems.orderNotFound();
      }
      const authorized = await callTemporal(this.temporal, () =>
        handle.executeUpdate(requestReturnUpdate, {
          args: [{ lines: body.lines, requestedBy: principal.subject }],
          updateId: `return:${principal.subject}:${idempotencyKey}`,
        }),
      );
      return returnResponse(authorized);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw refused(error.cause, body);
      if (error instanceof WorkflowNotFoundError) {
        // The workflow has ended: cancelled before it shipped, or past its return window.
        if (!stored) throw problems.orderNotFound();
        throw problems.conflict(
          'return-refused',
          'The order takes no returns: it never shipped, or its return window has closed',
        );
      }
      throw error;
    }
  }
}

/** The validator's refusal as a problem naming the line it is about. */
function refused(cause: Error | undefined, body: ReturnRequestBody): Problem {
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  const detail = asDetail(cause?.message ?? 'the return was refused');
  const sku = cause instanceof ApplicationFailure ? (cause.details?.[0] as string) : undefined;
  const index = body.lines.findIndex((line) => line.sku === sku);
  const line = index >= 0 ? `lines[${index}]` : 'lines';
  if (type === 'unknown-line' || type === 'invalid-return') {
    return problems.invalid([{ field: `${line}.sku`, message: cause!.message }]);
  }
  if (type === 'more-than-bought') {
    return new Problem(409, 'return-exceeds-purchase', 'Conflict', detail, [
      { field: `${line}.quantity`, message: cause!.message },
    ]);
  }
  return problems.conflict(type === 'return-window-closed' ? type : 'return-refused', detail);
}
