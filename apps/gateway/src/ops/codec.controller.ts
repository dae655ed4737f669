/**
 * The payload codec's remote endpoint for the Temporal Web UI (its `--ui-codec-endpoint` /
 * TEMPORAL_CODEC_ENDPOINT is `<gateway>/v1/ops/codec`): the UI posts a history's encrypted
 * payloads to `/decode` and shows what comes back, and posts what an operator types (a signal's
 * input) to `/encode`. Operators only, and CORS for the Web UI's origin only (http-hardening.ts).
 *
 * The UI sends no token of ours unless it signs in with the same identity provider (then it passes
 * its access token as a bearer token). Otherwise an operator opens a codec session from the
 * operator page: `POST session` with their bearer token sets an HttpOnly, SameSite=Strict cookie
 * scoped to these paths and expiring with the token, which the UI's credentialed requests carry.
 */
import { Body, Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Payload } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { PayloadDecryptionError } from '@order-platform/runtime';
import { AcceptCodecSession, CODEC_SESSION_COOKIE, RequireRole } from '../auth/auth.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { Problem } from '../http/problem';
import { bodyValidator } from '../http/validation';

export const CODEC_PATH = '/v1/ops/codec';
/** A codec session lasts as long as the token that opened it, and never more than this. */
const MAX_SESSION_SECONDS = 8 * 3600;
const MAX_PAYLOADS = 1000;

const BASE64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' } as const;

/** Temporal's `Payloads` in proto JSON: bytes as base64. */
export const CODEC_PAYLOADS_SCHEMA = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: MAX_PAYLOADS,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          metadata: {
            type: 'object',
            maxProperties: 32,
            additionalProperties: BASE64,
          },
          data: BASE64,
        },
      },
    },
  },
} as const;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}
interface JsonPayloads {
  payloads: JsonPayload[];
}

const validatePayloads = bodyValidator<JsonPayloads>(CODEC_PAYLOADS_SCHEMA);

const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@AcceptCodecSession()
@ApiProblems(401, 403)
@Controller(CODEC_PATH.slice(1))
export class CodecController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Post('decode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decrypts Temporal payloads for the Web UI (its remote codec)' })
  @ApiJsonBody(CODEC_PAYLOADS_SCHEMA)
  @ApiJsonResponse(200, 'The payloads decrypted, in order', CODEC_PAYLOADS_SCHEMA)
  @ApiProblems(400, 413, 415, 422)
  async decode(@Body() body: unknown): Promise<JsonPayloads> {
    const { payloads } = validatePayloads(body);
    try {
      const decoded = await this.config.payloadCodec.decode(payloads.map(fromJson));
      return { payloads: decoded.map(toJson) };
    } catch (error) {
      // The reason names a key id or says "failed authentication": never key material.
      if (error instanceof PayloadDecryptionError) {
        throw new Problem(422, 'payload-undecodable', 'A payload cannot be decoded', error.message);
      }
      throw error;
    }
  }

  @Post('encode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Encrypts payloads an operator enters in the Web UI' })
  @ApiJsonBody(CODEC_PAYLOADS_SCHEMA)
  @ApiJsonResponse(
    200,
    'The payloads encrypted with the newest key, in order',
    CODEC_PAYLOADS_SCHEMA,
  )
  @ApiProblems(400, 413, 415)
  async encode(@Body() body: unknown): Promise<JsonPayloads> {
    const { payloads } = validatePayloads(body);
    const encoded = await this.config.payloadCodec.encode(payloads.map(fromJson));
    return { payloads: encoded.map(toJson) };
  }

  @Post('session')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Opens a codec session for the Web UI in this browser: a cookie for the codec paths only',
  })
  @ApiResponse({ status: 204, description: 'Opened: the cookie is set' })
  openSession(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(request.headers.authorization ?? '')?.[1];
    // A session is opened with a bearer token, never renewed from the cookie it set.
    if (!token) {
      throw new Problem(
        401,
        'unauthenticated',
        'Authentication required',
        'Open a codec session with `Authorization: Bearer <operator token>`',
      );
    }
    const { exp } = decodeJwt(token);
    const seconds = Math.min(
      MAX_SESSION_SECONDS,
      Math.max(0, Math.floor((exp ?? 0) - Date.now() / 1000)),
    );
    void reply.header('set-cookie', sessionCookie(token, seconds, request.protocol === 'https'));
  }

  @Delete('session')
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends the codec session of this browser' })
  @ApiResponse({ status: 204, description: 'Ended: the cookie is cleared' })
  closeSession(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('set-cookie', sessionCookie('', 0, request.protocol === 'https'));
  }
}

const sessionCookie = (token: string, maxAgeSeconds: number, secure: boolean): string =>
  [
    `${CODEC_SESSION_COOKIE}=${token}`,
    `Path=${CODEC_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
