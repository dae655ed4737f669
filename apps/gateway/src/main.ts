/**
 * The gateway process: NestJS on Fastify, OpenAPI at /docs (UI) and /docs-json, JSON logs,
 * shutdown hooks that close Temporal and PostgreSQL connections after in-flight requests.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createLogger, runMain } from '@order-platform/runtime';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config';

runMain('gateway', async () => {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.create(config),
    new FastifyAdapter({ bodyLimit: 64 * 1024 }),
    { logger: ['error', 'warn'] },
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Order platform gateway')
      .setDescription(
        'Truthful order status for customers; backlog and migration views for operators.',
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
