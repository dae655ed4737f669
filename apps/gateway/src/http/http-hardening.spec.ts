import { SECURITY_HEADER_OPTIONS, securityHeaders } from './http-hardening';

describe("the gateway's security headers", () => {
  it("are helmet's, with the policy the pages and /docs need, computed once for every response", () => {
    const headers = securityHeaders(SECURITY_HEADER_OPTIONS);
    const policy = headers['content-security-policy']!.split(';');
    expect(policy).toEqual(expect.arrayContaining(["default-src 'self'", "script-src 'self'"]));
    // No eval and no inline script: what the operator page's browser tests rely on.
    expect(headers['content-security-policy']).not.toMatch(
      /unsafe-eval|script-src[^;]*unsafe-inline/,
    );
    expect(policy.some((d) => d.startsWith('upgrade-insecure-requests'))).toBe(false);
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'referrer-policy': 'no-referrer',
    });
    expect(Object.keys(headers)).not.toContain('x-powered-by');
  });
});
