/**
 * The operator page at /ops: static HTML, script and styles read once at startup and served
 * from this origin, so the gateway's CSP (`script-src 'self'`) holds. The page is public; the
 * data it shows comes from the /v1/ops API with the operator's bearer token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';

const read = (file: string): string => readFileSync(join(__dirname, file), 'utf8');

@ApiExcludeController()
@Public()
@Controller('ops')
export class OpsPageController {
  private readonly html = read('ops.html');
  private readonly script = read('ops.js');
  private readonly styles = read('ops.css');

  @Get()
  page(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/html; charset=utf-8').send(this.html);
  }

  @Get('ops.js')
  js(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'application/javascript; charset=utf-8').send(this.script);
  }

  @Get('ops.css')
  css(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/css; charset=utf-8').send(this.styles);
  }
}
