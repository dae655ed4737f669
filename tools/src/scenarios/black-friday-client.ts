/**
 * How the Black Friday scenario reaches a running platform: the gateway's API (as a customer
 * or an operator, with a bearer token) and the simulators' dials and records. Nothing else.
 */
import type { TokenKeys } from '@order-platform/runtime';

export interface ScenarioTarget {
  gatewayUrl: string;
  simulatorsUrl: string;
  kafkaBrokers: string[];
  tokenKeys: TokenKeys;
}

export function scenarioClient(target: ScenarioTarget) {
  const call = async (
    base: string,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json =
      text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: json };
  };
  return {
    gateway: (
      method: string,
      path: string,
      token: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) => call(target.gatewayUrl, method, path, token, body, headers),
    async expect(status: number, method: string, path: string, token: string, body?: unknown) {
      const response = await call(target.gatewayUrl, method, path, token, body);
      if (response.status !== status)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async sim(method: string, path: string, body?: unknown) {
      const response = await call(target.simulatorsUrl, method, path, undefined, body);
      if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}

export type ScenarioClient = ReturnType<typeof scenarioClient>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
