/**
 * The payload codec every Temporal client and worker of the platform installs: each payload
 * (workflow and activity inputs and results, signals, updates, queries, memos, failures' details)
 * is encrypted with AES-256-GCM before it leaves the process, so Temporal's histories hold only
 * ciphertext. Personal data is kept out of the payloads in the first place (see
 * docs/architecture.md, personal data); this is the second line.
 *
 * Keys come from `PAYLOAD_CODEC_KEYS` (`id:base64key,...`, 32-byte keys): the first listed
 * encrypts, any listed decrypts, so a rotation lists the new key first and keeps the old ones
 * until no retained history needs them. Each encrypted payload names its key id in its metadata.
 * A payload that is not encrypted (histories written before the codec) passes through as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigProblem } from './config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const PAYLOAD_CODEC_KEYS_VARIABLE = 'PAYLOAD_CODEC_KEYS';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** A payload the codec cannot decrypt: the message says why, never the payload. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Parses `id:base64key,...`; throws ConfigProblem naming the variable and what is wrong. */
export function parseCodecKeys(
  spec: string,
  variable = PAYLOAD_CODEC_KEYS_VARIABLE,
): [CodecKey, ...CodecKey[]] {
  const keys: CodecKey[] = [];
  for (const entry of spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw new ConfigProblem(
        `${variable}: each entry is id:base64key with an id of 1-64 letters, digits, . _ or -`,
      );
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== KEY_BYTES) {
      throw new ConfigProblem(`${variable}: key "${id}" must be ${KEY_BYTES} bytes (base64)`);
    }
    if (keys.some((known) => known.id === id)) {
      throw new ConfigProblem(`${variable}: key id "${id}" is listed twice`);
    }
    keys.push({ id, key });
  }
  const [newest, ...older] = keys;
  if (!newest) throw new ConfigProblem(`${variable} is required (id:base64key,...)`);
  return [newest, ...older];
}

/** A fresh `id:base64key` entry: for local stacks and tests (never commit one). */
export const generateCodecKey = (id: string): string =>
  `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly newest: CodecKey;

  constructor(keys: readonly [CodecKey, ...CodecKey[]]) {
    this.newest = keys[0];
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** The codec for the keys in `PAYLOAD_CODEC_KEYS` (ConfigProblem when absent or malformed). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec {
    return new EncryptionCodec(parseCodecKeys(env[PAYLOAD_CODEC_KEYS_VARIABLE] ?? ''));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.newest.key, nonce);
    // The key id is authenticated too: a payload moved under another id fails to decrypt.
    cipher.setAAD(encoder.encode(this.newest.id));
    const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        encoding: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(this.newest.id),
      },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError('encrypted payload without a key id');
    const id = decoder.decode(idBytes);
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload encrypted with key id "${id}", which is not in ${PAYLOAD_CODEC_KEYS_VARIABLE} (known: ${[...this.byId.keys()].join(', ')})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`encrypted payload (key id "${id}") is truncated`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
    decipher.setAAD(encoder.encode(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload (key id "${id}") failed authentication: tampered with, or the key under that id changed`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** The `dataConverter` option for a Temporal Client or Worker: the platform's codec. */
export const platformDataConverter = (
  env: NodeJS.ProcessEnv = process.env,
): { payloadCodecs: PayloadCodec[] } => ({ payloadCodecs: [EncryptionCodec.fromEnv(env)] });
