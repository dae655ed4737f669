/**
 * A key rotation keeps old histories readable. The committed history of a delivered order is
 * encrypted the way a worker and client with the payload codec's old key write it (every payload
 * but the search attributes the server indexes and the SDK's patch markers), then replayed against
 * the current workflow code with the rotated key list (the new key first, the old one still
 * listed): it replays without non-determinism and its payloads decode. With the old key dropped
 * too early, the same history is refused, naming the key id it lacks.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { codecDataConverter } from '@order-platform/tools';
import { WORKFLOWS_PATH, workflowBundlerOptions } from './bundle';
import { HISTORIES_DIR } from './testing/order-test-env';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const text = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString();

/** Encrypts every payload of `value` in place, as the codec does on the way to Temporal. */
async function encryptPayloads(value: unknown, codec: PayloadCodec): Promise<void> {
  if (!value || typeof value !== 'object') return;
  for (const [name, child] of Object.entries(value)) {
    if (name === 'searchAttributes' || name === 'markerRecordedEventAttributes') continue;
    if (name === 'payloads' && Array.isArray(child)) {
      (value as { payloads: Payload[] }).payloads = await codec.encode(child as Payload[]);
    } else {
      await encryptPayloads(child, codec);
    }
  }
}

describe('rotating the payload codec key', () => {
  const oldKey = key('2026-05');
  const newKey = key('2026-11');
  const plain = temporal.api.history.v1.History.decode(
    readFileSync(join(HISTORIES_DIR, 'delivered.history.pb')),
  );

  it('replays and decodes a history written with the old key once the new key encrypts', async () => {
    const history = temporal.api.history.v1.History.decode(
      temporal.api.history.v1.History.encode(plain).finish(),
    );
    await encryptPayloads(history.events, codecDataConverter(oldKey).payloadCodecs[0]!);
    const [input] = history.events![0]!.workflowExecutionStartedEventAttributes!.input!
      .payloads! as Payload[];
    expect(text(input!.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(input!.metadata!['encryption-key-id'])).toBe('2026-05');
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(Buffer.from('SKU-1'))).toBe(false);

    const rotated = codecDataConverter(`${newKey},${oldKey}`);
    const [decoded] = await rotated.payloadCodecs[0]!.decode([input!]);
    const [original] = plain.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(JSON.parse(text(decoded!.data))).toEqual(JSON.parse(text(original!.data)));
    // Encoded now, a payload goes under the new key.
    const [again] = await rotated.payloadCodecs[0]!.encode([decoded!]);
    expect(text(again!.metadata!['encryption-key-id'])).toBe('2026-11');

    const replay = (keys: string) =>
      Worker.runReplayHistory(
        {
          workflowsPath: WORKFLOWS_PATH,
          bundlerOptions: workflowBundlerOptions(),
          dataConverter: codecDataConverter(keys),
          replayName: 'codec-rotation',
        },
        history,
        'delivered',
      );
    await expect(replay(`${newKey},${oldKey}`)).resolves.toBeUndefined();
    await expect(replay(newKey)).rejects.toThrow(/2026-05/);
  }, 120_000);
});
