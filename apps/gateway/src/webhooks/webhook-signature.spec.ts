import { InvalidSignature, signatureOf, verifySignature } from './webhook-signature';

const secret = 'a-secret-shared-with-the-fulfilment-service';
const body = Buffer.from('{"eventId":"shp_1:dispatched","orderId":"o-1"}');
const now = new Date('2026-11-29T12:00:00Z');
const timestamp = String(now.getTime() / 1000);
const signed = {
  secret,
  timestamp,
  signature: signatureOf(secret, timestamp, body),
  rawBody: body,
};

describe('the fulfilment webhook signature', () => {
  it('accepts a request signed with the shared secret over its timestamp and raw body', () => {
    expect(() => verifySignature({ ...signed, now })).not.toThrow();
  });

  it.each([
    [
      'another secret',
      { signature: signatureOf('another-secret-of-the-same-sort-xx', timestamp, body) },
    ],
    ['a changed body', { rawBody: Buffer.from('{"eventId":"shp_1:delivered","orderId":"o-1"}') }],
    ['a changed timestamp', { timestamp: String(Number(timestamp) + 1) }],
    ['a truncated signature', { signature: signed.signature.slice(0, -1) }],
    ['no signature', { signature: undefined }],
    ['no timestamp', { timestamp: undefined }],
    ['a timestamp that is not a number', { timestamp: 'yesterday' }],
  ])('refuses %s', (_case, change) => {
    expect(() => verifySignature({ ...signed, ...change, now })).toThrow(InvalidSignature);
  });

  it('refuses a correctly signed request replayed after the tolerance', () => {
    const later = new Date(now.getTime() + 301_000);
    expect(() => verifySignature({ ...signed, now: later })).toThrow('too far from now');
    const within = new Date(now.getTime() + 299_000);
    expect(() => verifySignature({ ...signed, now: within })).not.toThrow();
  });
});
