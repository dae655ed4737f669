import { MOST_CAREFUL_SEGMENT } from '@order-platform/domain';
import { mintToken as mintAnyToken } from '@order-platform/runtime';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, mintToken, type TokenKeys, verifyToken } from './tokens';

const keys: TokenKeys = {
  jwtSecret: 'a-test-secret-of-at-least-thirty-two-characters',
  issuer: DEFAULT_ISSUER,
  audience: DEFAULT_AUDIENCE,
};

describe('a customer token and the policy it earns', () => {
  it('keeps the segment the identity provider gave', async () => {
    const token = await mintToken({ subject: 'c-1', roles: ['customer'], segment: 'vip' }, keys);
    expect(await verifyToken(token, keys)).toMatchObject({ subject: 'c-1', segment: 'vip' });
  });

  it('gives a token without a segment the most careful policy, not standard', async () => {
    const token = await mintToken({ subject: 'c-1', roles: ['customer'] }, keys);
    expect((await verifyToken(token, keys)).segment).toBe(MOST_CAREFUL_SEGMENT);
  });

  it('treats a segment it does not know as no segment', async () => {
    const token = await mintAnyToken(
      { subject: 'c-1', roles: ['customer'], segment: 'platinum' },
      keys,
    );
    expect((await verifyToken(token, keys)).segment).toBe(MOST_CAREFUL_SEGMENT);
  });
});
