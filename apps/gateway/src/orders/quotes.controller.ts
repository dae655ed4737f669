/**
 * Quotes: what a basket costs right now, priced by the catalogue exactly as placing it would be.
 * The customer shows the total, then places the order with it as `expectedTotalMinor`.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.guard';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { bodyValidator } from '../http/validation';
import { QUOTE_REQUEST_SCHEMA, QUOTE_SCHEMA, type QuoteRequest } from './order-api.schemas';
import { OrderPricing, quoteResponse, refuseClientPricing } from './order-pricing';

const validateQuote = bodyValidator<QuoteRequest>(QUOTE_REQUEST_SCHEMA);

@ApiTags('orders')
@ApiBearerAuth()
@RequireRole('customer')
@ApiProblems(401, 403)
@Controller('v1/quotes')
export class QuotesController {
  constructor(private readonly pricing: OrderPricing) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Price a basket',
    description:
      "The catalogue's current prices for the lines and the shipping option, and the total to send as `expectedTotalMinor` when placing the order. Changes nothing.",
  })
  @ApiJsonBody(QUOTE_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'The current prices and total', QUOTE_SCHEMA)
  @ApiProblems(400, 413, 415, 503)
  async quote(@Body() body: unknown) {
    refuseClientPricing(body);
    return quoteResponse(await this.pricing.quote(validateQuote(body)));
  }
}
