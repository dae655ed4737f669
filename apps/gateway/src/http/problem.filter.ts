/**
 * Turns anything thrown while handling a request into a problem document: our own `Problem`s as
 * they are, Nest's HTTP exceptions and Fastify's body-parsing errors by status, and anything
 * else as a 500 that is logged here (with its stack) and told to the client without details.
 * Nest routes every error, Fastify's included, through this filter.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { errorCodes, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '@order-platform/runtime';
import { Problem, PROBLEM_CONTENT_TYPE, problems } from './problem';

/**
 * Fastify's own errors (body parser, content type, size). Nest re-throws them as plain
 * HttpExceptions carrying only the message and status, so they are recognised by message.
 */
const FASTIFY_PROBLEMS = new Map<string, (bodyLimitBytes: number) => Problem>([
  [new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY().message, () => problems.malformedJson()],
  [new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY().message, () => problems.malformedJson()],
  [new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE().message, (limit) => problems.tooLarge(limit)],
  [new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE().message, () => problems.unsupportedMediaType()],
]);

export function toProblem(error: unknown, bodyLimitBytes: number): Problem | undefined {
  if (error instanceof Problem) return error;
  if (!(error instanceof HttpException)) return undefined;
  const fastifyProblem = FASTIFY_PROBLEMS.get(error.message);
  if (fastifyProblem) return fastifyProblem(bodyLimitBytes);
  const status = error.getStatus();
  if (status === 404) return problems.routeNotFound();
  if (status === 413) return problems.tooLarge(bodyLimitBytes);
  if (status === 415) return problems.unsupportedMediaType();
  // Other 4xx from the framework: the status is right, the message is not for clients.
  if (status >= 400 && status < 500) {
    return new Problem(status, `http-${status}`, 'The request could not be handled');
  }
  return undefined;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly options: { logger: Logger; bodyLimitBytes: number }) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    let problem = toProblem(error, this.options.bodyLimitBytes);
    if (!problem) {
      this.options.logger.error('unhandled error', {
        requestId: request.id,
        route: request.routeOptions?.url ?? 'unmatched',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      problem = problems.internal();
    }
    void http
      .getResponse<FastifyReply>()
      .status(problem.status)
      .headers(problem.headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem.document(request.id)));
  }
}
