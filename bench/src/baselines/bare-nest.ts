/**
 * The gateway baseline: NestJS on the same Fastify adapter and versions as apps/gateway, one
 * route answering a constant body (the gateway's own answer for the order being read, passed
 * in BENCH_CONSTANT_BODY) with no auth, database or logging. Prints "ready" once listening.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

const BODY: unknown = JSON.parse(process.env.BENCH_CONSTANT_BODY ?? '{"status":"CONFIRMED"}');

@Controller()
class ConstantController {
  @Get('constant')
  constant(): unknown {
    return BODY;
  }
}

@Module({ controllers: [ConstantController] })
class ConstantModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ConstantModule,
    new FastifyAdapter({ logger: false }),
    { logger: ['error', 'warn'] },
  );
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  console.log('ready');
  process.once('SIGTERM', () => void app.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
