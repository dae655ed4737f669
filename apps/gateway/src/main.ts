/**
 * The gateway process: NestJS on Fastify, the customer and operator API under /v1, OpenAPI at
 * /docs (UI) and /docs-json, Prometheus at /metrics, probes at /health/*, JSON logs, and
 * shutdown hooks that close Temporal and PostgreSQL connections after in-flight requests.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createLogger, runMain } from '@order-platform/runtime';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config';
import { hardenHttp, requestIdOf } from './http/http-hardening';
import { NestJsonLogger } from './http/nest-logger';
import { ProblemFilter } from './http/problem.filter';
import { LOGGER } from './infrastructure/infrastructure.module';
import { GatewayMetrics } from './metrics/gateway-metrics';
import type { Logger } from '@order-platform/runtime';

runMain('gateway', async () => {
  const config = loadGatewayConfig();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.create(config),
    new FastifyAdapter({
      bodyLimit: config.http.bodyLimitBytes,
      genReqId: requestIdOf,
      // Our own access log (hardenHttp) replaces Fastify's, which would log URLs with ids.
      logger: false,
      // Behind a proxy the client address comes from X-Forwarded-For.
      trustProxy: true,
    }),
    // The raw body is kept beside the parsed one: the fulfilment webhook's signature covers it.
    // Nest's own lines in the platform's JSON format.
    { logger: new NestJsonLogger(createLogger('gateway', config.logLevel)), rawBody: true },
  );
  const logger = app.get<Logger>(LOGGER);
  await hardenHttp(app.getHttpAdapter().getInstance(), {
    config,
    logger,
    metrics: app.get(GatewayMetrics),
  });
  app.useGlobalFilters(new ProblemFilter({ logger, bodyLimitBytes: config.http.bodyLimitBytes }));
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Order platform gateway')
      .setDescription(
        'Truthful order status for customers; backlog and stuck orders for operators. Errors are RFC 7807 problem documents (application/problem+json). Money is in integer minor units.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // Fastify binds to 127.0.0.1 unless told otherwise; containers need every interface.
  await app.listen(config.port, '0.0.0.0');
  logger.info('gateway listening', { port: config.port });
});
