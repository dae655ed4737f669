/**
 * The operator page at /ops: static HTML, browser ES modules and styles (the files in public/)
 * read once at startup and served from this origin, so the gateway's CSP (`script-src 'self'`)
 * holds. The page is public; the data it shows comes from the /v1/ops API with the operator's
 * bearer token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';

const PUBLIC_DIR = join(__dirname, 'public');

// Module scripts must come with a JavaScript type, or the browser refuses to run them.
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface Asset {
  contentType: string;
  body: string;
}

const readFile = (file: string): string => readFileSync(join(PUBLIC_DIR, file), 'utf8');

/** The page's scripts and styles by file name: only these are served under /ops/. */
function readAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of readdirSync(PUBLIC_DIR)) {
    const contentType = CONTENT_TYPES[extname(file)];
    if (contentType) assets.set(file, { contentType, body: readFile(file) });
  }
  return assets;
}

@ApiExcludeController()
@Public()
@Controller('ops')
export class OpsPageController {
  private readonly html = readFile('ops.html');
  private readonly assets = readAssets();

  @Get()
  page(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/html; charset=utf-8').send(this.html);
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException(`no such file of the operator page: ${file}`);
    void reply.header('content-type', asset.contentType).send(asset.body);
  }
}
