/** `POST /v1/orders/{orderId}/returns`: a customer sends back some or all of a shipped order. */
import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator } from '../http/validation';
import {
  ORDER_ID_PATTERN,
  RETURN_REQUEST_SCHEMA,
  RETURN_SCHEMA,
  type ReturnRequestBody,
} from './order-api.schemas';
import { OrderReturnsService } from './order-returns.service';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
const ORDER_ID = new RegExp(ORDER_ID_PATTERN);
const validateReturn = bodyValidator<ReturnRequestBody>(RETURN_REQUEST_SCHEMA);

@ApiTags('orders')
@ApiBearerAuth()
@RequireRole('customer')
@ApiProblems(401, 403)
@Controller('v1/orders')
export class OrderReturnsController {
  constructor(private readonly returns: OrderReturnsService) {}

  @Post(':orderId/returns')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Return some or all of a shipped order',
    description:
      'Once the order has SHIPPED (or was DELIVERED, within the return window after the delivery): 202 with the authorized return. The parcel must reach the warehouse by `parcelDueBy`; then the lines are restocked and refunded at the prices they were bought at (never more than was captured), else the return lapses and nothing is refunded. 400 naming the line for a sku the order does not have; 409 `return-exceeds-purchase` naming the line for more than was bought and not already returned; 409 `return-window-closed` or `return-refused` before dispatch or after the window. Idempotent by `Idempotency-Key`: the same key answers with the same return.',
  })
  @ApiParam({ name: 'orderId', schema: { type: 'string', pattern: ORDER_ID_PATTERN } })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Chosen by the client, unique per return it means to request',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  })
  @ApiJsonBody(RETURN_REQUEST_SCHEMA)
  @ApiJsonResponse(202, 'The return is authorized: send the parcel back', RETURN_SCHEMA)
  @ApiProblems(400, 404, 409, 503)
  request(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
  ) {
    if (!ORDER_ID.test(orderId)) throw problems.orderNotFound();
    if (!idempotencyKey || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw problems.invalid([
        { field: 'Idempotency-Key', message: 'required: 1-128 letters, digits, _ . : or -' },
      ]);
    }
    return this.returns.request(principal, orderId, idempotencyKey, validateReturn(body));
  }
}
