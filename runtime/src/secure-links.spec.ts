import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config';
import { createKafka } from './kafka';
import {
  checkKafkaSecurity,
  kafkaSecurityFromEnv,
  temporalConnectionOptions,
  temporalTlsFromEnv,
} from './secure-links';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

describe('Temporal TLS from the environment', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'secure-links-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is plaintext when nothing is set (the local stack)', () => {
    expect(temporalConnectionOptions('127.0.0.1:7233', {})).toEqual({ address: '127.0.0.1:7233' });
  });

  it('turns TLS on with the system CAs for TEMPORAL_TLS=on alone', () => {
    expect(temporalTlsFromEnv({ TEMPORAL_TLS: 'on' })).toEqual({});
  });

  it('reads the CA and the client pair from files or inline PEM, and the server name', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, PEM);
    const tls = temporalTlsFromEnv({
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_CERT: PEM,
      TEMPORAL_TLS_KEY: KEY.replace(/\n/g, '\\n'), // a PEM squeezed onto one line
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(Buffer.from(tls!.serverRootCACertificate!).toString()).toBe(PEM);
    expect(Buffer.from(tls!.clientCertPair!.crt).toString()).toBe(PEM.trim());
    expect(Buffer.from(tls!.clientCertPair!.key).toString()).toBe(KEY);
    expect(tls!.serverNameOverride).toBe('temporal.internal');
  });

  it('refuses half a client pair, a missing file, a file without PEM and a contradiction', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        temporalTlsFromEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.join('\n');
      }
      throw new Error('accepted');
    };
    expect(problems({ TEMPORAL_TLS_CERT: PEM })).toMatch(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
    expect(problems({ TEMPORAL_TLS_CA: join(dir, 'nope.pem') })).toMatch(/TEMPORAL_TLS_CA/);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(problems({ TEMPORAL_TLS_CA: notPem })).toMatch(/holds no PEM/);
    expect(problems({ TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA: PEM })).toMatch(/which is it/);
    expect(problems({ TEMPORAL_TLS: 'yes' })).toMatch(/TEMPORAL_TLS must be one of on, off/);
  });
});

describe('Kafka TLS and SASL from the environment', () => {
  it('is plaintext without SASL when nothing is set', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({ ssl: undefined, sasl: undefined });
  });

  it('verifies the broker with the CA given, never with checks off, and takes SCRAM users', () => {
    const security = kafkaSecurityFromEnv({
      KAFKA_SSL_CA: PEM,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'order-platform',
      KAFKA_SASL_PASSWORD: ' pass word ',
    });
    expect(security.ssl).toMatchObject({ rejectUnauthorized: true });
    expect(security.ssl!.ca).toEqual([Buffer.from(PEM.trim())]);
    expect(security.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'order-platform',
      password: ' pass word ',
    });
  });

  it('refuses SASL without credentials, credentials without a mechanism, an unknown mechanism', () => {
    expect(() => kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(
      /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    expect(() =>
      kafkaSecurityFromEnv({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toThrow(/need KAFKA_SASL_MECHANISM/);
    expect(() =>
      kafkaSecurityFromEnv({
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toThrow(/KAFKA_SASL_MECHANISM must be one of/);
  });

  it('refuses a PLAIN password over a link without TLS, in the one client factory too', () => {
    const plainInClear = kafkaSecurityFromEnv({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(() => checkKafkaSecurity(plainInClear)).toThrow(/in clear/);
    expect(() =>
      createKafka({ clientId: 't', brokers: ['127.0.0.1:9092'], security: plainInClear }),
    ).toThrow(/in clear/);
  });
});
