// The operator's bearer token, kept in sessionStorage for this tab only, and the one way the
// page calls the /v1/ops API with it. A 401 or 403 is an AuthProblem carrying the problem's
// detail, so the page can ask for a token again; any other failure is a plain Error.

const TOKEN_KEY = 'order-platform.ops.token';

export class AuthProblem extends Error {}

export const hasToken = () => Boolean(sessionStorage.getItem(TOKEN_KEY));

export const saveToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);

export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

export async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY) || '';
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    cache: 'no-store',
  });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => ({}));
    throw new AuthProblem(problem.detail || problem.title || `HTTP ${response.status}`);
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
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
