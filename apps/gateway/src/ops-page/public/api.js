// The operator's bearer token, kept in sessionStorage for this tab only (never in a URL), and
// the one way the page calls the /v1/ops API with it. Reads: a 401 or 403 is an AuthProblem
// carrying the problem's detail, so the page can ask for a token again; any other failure is an
// Error with the problem's detail. Actions (`send`) never throw for an HTTP answer: the caller
// shows the answer, refusals (RFC 7807 problems) included.

const TOKEN_KEY = 'order-platform.ops.token';

export class AuthProblem extends Error {}

export const hasToken = () => Boolean(sessionStorage.getItem(TOKEN_KEY));

export const saveToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);

export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

const headers = () => ({
  authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) || ''}`,
  accept: 'application/json',
});

/** The problem's own words: detail, else title, else the status. */
export const problemText = (problem, status) =>
  (problem && (problem.detail || problem.title)) || `HTTP ${status}`;

export async function api(path) {
  const response = await fetch(path, { headers: headers(), cache: 'no-store' });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => ({}));
    throw new AuthProblem(problemText(problem, response.status));
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => undefined);
    throw new Error(problemText(problem, response.status));
  }
  return response.json();
}

/** An action: `{ ok, status, body }`, where a refusal's body is its problem document. */
export async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { ...headers(), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { detail: text.slice(0, 500) };
  }
  return { ok: response.ok, status: response.status, body: parsed };
}

// The Temporal Web UI decodes payloads through the gateway's codec endpoint, authenticated by a
// codec session cookie (HttpOnly, for the codec paths only) that the signed-in operator opens
// here and closes on sign-out. Best effort: the dashboard works without it.
export async function codecSession(open) {
  const token = sessionStorage.getItem(TOKEN_KEY) || '';
  const response = await fetch('/v1/ops/codec/session', {
    method: open ? 'POST' : 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  return response.ok;
}
