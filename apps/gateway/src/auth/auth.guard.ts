/**
 * Every route needs a valid bearer token unless it is marked `@Public()` (health, metrics,
 * docs); routes marked `@RequireRole(...)` also need that role. Routes marked
 * `@AcceptCodecSession()` (the payload codec's, for the Temporal Web UI) also take the token from
 * the codec session cookie when no Authorization header is sent. The verified principal is put
 * on the request for `@CurrentPrincipal()`. Verifications are remembered until the token's
 * expiry (verified-tokens.ts). A token from the identity provider that cannot be judged because
 * its keys cannot be fetched is a 503, not a 401: the caller did nothing wrong.
 */
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { InvalidToken, type Principal, type Role, TokenKeysUnavailable } from './tokens';
import { VerifiedTokens } from './verified-tokens';

const PUBLIC = 'order-platform:public';
const ROLE = 'order-platform:role';
const CODEC_SESSION = 'order-platform:codec-session';
/** The cookie a codec session keeps the operator's token in (ops/codec.controller.ts). */
export const CODEC_SESSION_COOKIE = 'op_codec_session';

export const Public = () => SetMetadata(PUBLIC, true);
export const RequireRole = (role: Role) => SetMetadata(ROLE, role);
export const AcceptCodecSession = () => SetMetadata(CODEC_SESSION, true);

/** The codec session's token from a Cookie header, if any. */
export function codecSessionToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === CODEC_SESSION_COOKIE && value) return value;
  }
  return undefined;
}

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

interface RouteAccess {
  public: boolean;
  codecSession: boolean;
  role?: Role;
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal on a route without authentication');
    return principal;
  },
);

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens: VerifiedTokens;

  constructor(
    private readonly reflector: Reflector,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.tokens = new VerifiedTokens(config.auth);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.accessTo(context);
    if (access.public) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const bearer = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '')?.[1];
    const token =
      bearer ??
      (header === undefined && access.codecSession
        ? codecSessionToken(request.headers.cookie)
        : undefined);
    if (!token) throw problems.unauthenticated('Send `Authorization: Bearer <token>`');
    try {
      request.principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidToken) throw problems.unauthenticated(error.message);
      // Not the caller's fault: their token may be good, it cannot be judged right now.
      if (error instanceof TokenKeysUnavailable) throw problems.unavailable(error.message, 5);
      throw error;
    }
    const { role } = access;
    if (role && !request.principal.roles.includes(role)) {
      throw problems.forbidden(`This path is for the ${role} role`);
    }
    return true;
  }

  /**
   * What a route's decorators ask, read once per route: metadata is fixed once the app is
   * built, and reading it through the Reflector on every request costs more than the rest of
   * the check. By class, then handler: an inherited handler may sit under another class.
   */
  private readonly routeAccess = new WeakMap<object, WeakMap<object, RouteAccess>>();

  private accessTo(context: ExecutionContext): RouteAccess {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byHandler = this.routeAccess.get(controller);
    if (!byHandler) this.routeAccess.set(controller, (byHandler = new WeakMap()));
    let access = byHandler.get(handler);
    if (!access) {
      const targets = [handler, controller];
      access = {
        public: this.reflector.getAllAndOverride<boolean>(PUBLIC, targets) === true,
        codecSession: this.reflector.getAllAndOverride<boolean>(CODEC_SESSION, targets) === true,
        role: this.reflector.getAllAndOverride<Role | undefined>(ROLE, targets),
      };
      byHandler.set(handler, access);
    }
    return access;
  }
}
