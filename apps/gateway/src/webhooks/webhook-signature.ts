/**
 * The fulfilment webhook's signature: HMAC-SHA256, with the secret shared with the fulfilment
 * service, over `<timestamp>.<raw body>`, sent as `x-webhook-signature: sha256=<hex>` beside
 * `x-webhook-timestamp: <unix seconds>`. The timestamp is signed too, so a captured request
 * cannot be replayed once it is older than the tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-webhook-timestamp';
export const SIGNATURE_HEADER = 'x-webhook-signature';
/** How far a request's timestamp may be from the gateway's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export class InvalidSignature extends Error {}

export function signatureOf(secret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

export function verifySignature(request: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer | undefined;
  now?: Date;
}): void {
  const { secret, timestamp, signature, rawBody, now = new Date() } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    throw new InvalidSignature(`Send ${TIMESTAMP_HEADER} (unix seconds)`);
  }
  if (!signature) throw new InvalidSignature(`Send ${SIGNATURE_HEADER}: sha256=<hex>`);
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new InvalidSignature('The timestamp is too far from now');
  }
  const expected = Buffer.from(signatureOf(secret, timestamp, rawBody ?? ''));
  const offered = Buffer.from(signature);
  // Compared in constant time; the length check first is what timingSafeEqual requires.
  if (offered.length !== expected.length || !timingSafeEqual(offered, expected)) {
    throw new InvalidSignature('The signature does not match the body');
  }
}
