/**
 * How the migration scenario reaches a running platform: the Black Friday scenario's client
 * (the gateway as customer or operator, the simulators' dials and records) plus the monolith's
 * own HTTP API and the facade at its door. Nothing else: no database, no topic.
 */
import { mintToken } from '@order-platform/runtime';
import { type ScenarioTarget, scenarioClient } from './black-friday-client';

export interface MigrationTarget extends ScenarioTarget {
  monolithUrl: string;
  facadeUrl: string;
}

export interface MonolithOrder {
  orderId: string;
  customerId: string;
  status: string;
  stockHeldBy: string | null;
  handedOver: string[];
  lines?: { sku: string; quantity: number }[];
  payment: { authId: string; heldBy: string; status: string } | null;
  notifications: { kind: string; sentBy: string }[];
}

export function migrationClient(target: MigrationTarget) {
  const http = scenarioClient(target);
  const raw = async (base: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        // The monolith's ship/deliver and the warehouse's steps are idempotent per key.
        ...(method === 'POST' ? { 'idempotency-key': `${method}:${path}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the error message
    }
    return { status: response.status, headers: response.headers, body: json };
  };
  const tokens = new Map<string, string>();
  return {
    ...http,
    facade: (method: string, path: string, body?: unknown) =>
      raw(target.facadeUrl, method, path, body),
    monolith: (method: string, path: string, body?: unknown) =>
      raw(target.monolithUrl, method, path, body),
    /** The simulators' own POST steps (a parcel dispatched, delivered), answer kept. */
    simPost: (path: string) => raw(target.simulatorsUrl, 'POST', path),
    async monolithExpect(method: string, path: string, body?: unknown) {
      const response = await raw(target.monolithUrl, method, path, body);
      if (response.status >= 300)
        throw new Error(
          `monolith ${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`,
        );
      return response.body;
    },
    /** A customer's token (segment `standard`, as the facade vouches for monolith customers). */
    async customerToken(customerId: string): Promise<string> {
      let token = tokens.get(customerId);
      if (!token) {
        token = await mintToken(
          { subject: customerId, roles: ['customer'], segment: 'standard', ttlSeconds: 3600 },
          target.tokenKeys,
        );
        tokens.set(customerId, token);
      }
      return token;
    },
  };
}

export type MigrationClient = ReturnType<typeof migrationClient>;
