import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigProblem } from './config';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  generateCodecKey,
  KEY_ID_METADATA,
  parseCodecKeys,
  PayloadDecryptionError,
} from './payload-codec';

const address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London' };
const payload = (): Payload => defaultPayloadConverter.toPayload(address)!;
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const codec = (spec: string) => new EncryptionCodec(parseCodecKeys(spec));

describe('the payload codec', () => {
  const k1 = generateCodecKey('k1');
  const k2 = generateCodecKey('k2');

  it('round-trips a payload, metadata included, and leaves no plaintext in the encoded bytes', async () => {
    const [encoded] = await codec(k1).encode([payload()]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(text(encoded!.data)).not.toContain('Ada');
    expect(text(encoded!.data)).not.toContain('json/plain');
    const [decoded] = await codec(k1).decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(address);
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh nonce each time: the same payload never encrypts to the same bytes', async () => {
    const [a, b] = await codec(k1).encode([payload(), payload()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads written before the codec through unchanged', async () => {
    const plain = payload();
    expect(await codec(k1).decode([plain])).toEqual([plain]);
  });

  it('refuses a payload under a key id it does not know, naming the id and the known ones', async () => {
    const [encoded] = await codec(k1).encode([payload()]);
    await expect(codec(k2).decode([encoded!])).rejects.toThrow(
      new PayloadDecryptionError(
        'payload encrypted with key id "k1", which is not in PAYLOAD_CODEC_KEYS (known: k2)',
      ),
    );
  });

  it('refuses a payload decrypted with a different key under the same id', async () => {
    const [encoded] = await codec(k1).encode([payload()]);
    const otherK1 = generateCodecKey('k1');
    await expect(codec(otherK1).decode([encoded!])).rejects.toThrow(/failed authentication/);
  });

  it('refuses tampered ciphertext, a truncated payload and a relabelled key id', async () => {
    const [encoded] = await codec(`${k1},${k2}`).encode([payload()]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 0x01;
    await expect(codec(k1).decode([{ ...encoded!, data: flipped }])).rejects.toThrow(
      /failed authentication/,
    );
    await expect(
      codec(k1).decode([{ ...encoded!, data: Buffer.from(encoded!.data!).subarray(0, 10) }]),
    ).rejects.toThrow(/truncated/);
    // The same bytes claimed under another configured key: the id is authenticated data.
    const relabelled = {
      ...encoded!,
      metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') },
    };
    await expect(codec(`${k1},${k2}`).decode([relabelled])).rejects.toThrow(
      /failed authentication/,
    );
  });

  it('after a rotation encrypts with the newest key and still decrypts what the old key wrote', async () => {
    const [old] = await codec(k1).encode([payload()]);
    const rotated = codec(`${k2},${k1}`);
    const [fresh] = await rotated.encode([payload()]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([address, address]);
    // Once the old key is dropped, its payloads are refused clearly (not garbage).
    await expect(codec(k2).decode([old!])).rejects.toThrow(/key id "k1"/);
  });
});

describe('PAYLOAD_CODEC_KEYS', () => {
  it('takes several id:base64key entries, the first being the one that encrypts', () => {
    const keys = parseCodecKeys(`${generateCodecKey('2026-11')}, ${generateCodecKey('2026-05')}`);
    expect(keys.map((k) => k.id)).toEqual(['2026-11', '2026-05']);
  });

  it.each([
    ['nothing', '', /is required/],
    ['an id without a key', 'k1', /id:base64key/],
    ['a key without an id', ':AAAA', /id:base64key/],
    ['a short key', 'k1:c2hvcnQ=', /"k1" must be 32 bytes/],
    ['an id twice', `${generateCodecKey('k1')},${generateCodecKey('k1')}`, /"k1" is listed twice/],
  ])('refuses %s', (_label, spec, problem) => {
    expect(() => parseCodecKeys(spec)).toThrow(ConfigProblem);
    expect(() => parseCodecKeys(spec)).toThrow(problem);
  });

  it('never echoes a key into its error messages', () => {
    const secret = Buffer.alloc(31, 7).toString('base64');
    expect(() => parseCodecKeys(`k1:${secret}`)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});
