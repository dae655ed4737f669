import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { GatewayConfig } from '../config';
import { Problem } from '../http/problem';
import {
  AcceptCodecSession,
  AuthGuard,
  CODEC_SESSION_COOKIE,
  Public,
  RequireRole,
} from './auth.guard';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, mintToken, type Role } from './tokens';

const keys = {
  jwtSecret: 'a-test-secret-of-at-least-thirty-two-characters',
  issuer: DEFAULT_ISSUER,
  audience: DEFAULT_AUDIENCE,
};

class Routes {
  @Public()
  open() {}
  anyone() {}
  @RequireRole('operator')
  operatorsOnly() {}
}

// The same inherited handlers under two classes that ask different things of them.
@RequireRole('operator')
class OperatorRoutes extends Routes {}
@AcceptCodecSession()
class CodecRoutes extends Routes {}

function contextFor(
  controller: new () => Routes,
  handler: keyof Routes,
  headers: Record<string, string>,
): ExecutionContext {
  const request = { headers };
  return {
    getHandler: () => controller.prototype[handler],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const guard = new AuthGuard(new Reflector(), { auth: keys } as unknown as GatewayConfig);
const tokenOf = (role: Role) => mintToken({ subject: `${role}-1`, roles: [role] }, keys);

/** The status a route answers with those headers: 200 when the guard lets the request in. */
async function statusOf(
  controller: new () => Routes,
  handler: keyof Routes,
  headers: Record<string, string> = {},
): Promise<number> {
  try {
    return (await guard.canActivate(contextFor(controller, handler, headers))) ? 200 : 0;
  } catch (error) {
    if (error instanceof Problem) return error.status;
    throw error;
  }
}

describe('the auth guard', () => {
  it("asks each route what its own decorators and its class's ask, however often it is read", async () => {
    const customer = { authorization: `Bearer ${await tokenOf('customer')}` };
    const operator = { authorization: `Bearer ${await tokenOf('operator')}` };
    for (let round = 0; round < 2; round += 1) {
      expect(await statusOf(Routes, 'open')).toBe(200);
      expect(await statusOf(Routes, 'anyone')).toBe(401);
      expect(await statusOf(Routes, 'anyone', customer)).toBe(200);
      expect(await statusOf(Routes, 'operatorsOnly', customer)).toBe(403);
      expect(await statusOf(Routes, 'operatorsOnly', operator)).toBe(200);
      // The handler Routes serves to anyone is for operators under OperatorRoutes.
      expect(await statusOf(OperatorRoutes, 'anyone', customer)).toBe(403);
      expect(await statusOf(OperatorRoutes, 'anyone', operator)).toBe(200);
    }
  });

  it('takes the codec session cookie only on routes that accept it, and only without a header', async () => {
    const cookie = { cookie: `${CODEC_SESSION_COOKIE}=${await tokenOf('operator')}` };
    expect(await statusOf(CodecRoutes, 'anyone', cookie)).toBe(200);
    expect(await statusOf(Routes, 'anyone', cookie)).toBe(401);
    expect(await statusOf(CodecRoutes, 'anyone', { ...cookie, authorization: 'Basic x' })).toBe(
      401,
    );
  });
});
