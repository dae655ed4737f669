import { Client, Connection } from '@temporalio/client';
import { EncryptionCodec, parseCodecKeys, platformDataConverter } from '@order-platform/runtime';

/** A variable the integration suite's global setup exported (the stack's addresses, its keys). */
export function suiteEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration suite's setup`);
  return value;
}

/** The `dataConverter` of a suite's Temporal clients: the stack's payload codec, as the apps use. */
export const suiteDataConverter = () =>
  platformDataConverter({ PAYLOAD_CODEC_KEYS: suiteEnv('PAYLOAD_CODEC_KEYS') });

/** A `dataConverter` with the platform's payload codec over `keys` (`id:base64key,...`). */
export const codecDataConverter = (keys: string) => ({
  payloadCodecs: [new EncryptionCodec(parseCodecKeys(keys))],
});

/**
 * A suite's Temporal client on the stack, and how to close its connection. Encrypted with the
 * stack's payload codec as the apps are; `encrypted: false` for the raw client, which sees what
 * anyone reading Temporal's storage sees.
 */
export async function suiteTemporal({ encrypted = true }: { encrypted?: boolean } = {}): Promise<{
  client: Client;
  close: () => Promise<void>;
}> {
  const connection = await Connection.connect({ address: suiteEnv('TEMPORAL_ADDRESS') });
  const client = new Client({
    connection,
    namespace: suiteEnv('TEMPORAL_NAMESPACE'),
    ...(encrypted ? { dataConverter: suiteDataConverter() } : {}),
  });
  return { client, close: () => connection.close() };
}
