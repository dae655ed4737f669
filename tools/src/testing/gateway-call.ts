/**
 * One HTTP call to a gateway under test, as a client would make it: an optional bearer token,
 * a JSON body (or a raw one, to send what no JSON encoder would), extra headers. Answers with
 * the status, the headers and the body, parsed when it is JSON, so a suite asserts on what the
 * client would see, problem documents included.
 */
export interface GatewayReply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}

export interface GatewayRequest {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of `body`: malformed JSON, say. */
  raw?: string;
  headers?: Record<string, string>;
}

export async function gatewayCall(
  baseUrl: string,
  method: string,
  path: string,
  request: GatewayRequest = {},
): Promise<GatewayReply> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  const body = request.body === undefined ? request.raw : JSON.stringify(request.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}
