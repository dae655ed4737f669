/**
 * TLS (and mTLS) to Temporal, TLS and SASL/SCRAM to Kafka: read from the environment in this one
 * place and used by every Temporal client and worker connection (temporalConnectionOptions) and
 * by the one Kafka client factory (createKafka in kafka.ts). All off by default: the local stack
 * and the suites run plaintext on loopback. Certificates and keys are PEM, given either inline
 * (the value starts with `-----BEGIN`, as a Kubernetes Secret is easily put in a variable) or as
 * a path to a PEM file (as mounted certificates are). Every problem is a ConfigError naming the
 * variable, at start-up.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { ConfigError, ConfigProblem, env, loadConfig } from './config';

/** The TLS settings the Temporal SDK takes (TLSConfig of @temporalio/client and /worker). */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array };
}

/** `{ address, tls }` for Connection.connect / Connection.lazy / NativeConnection.connect. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TemporalTls;
}

export interface KafkaSecurity {
  ssl?: TlsConnectionOptions;
  sasl?: SASLOptions;
}

const ON_OFF = ['on', 'off'] as const;
export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;

const read = (e: NodeJS.ProcessEnv, name: string): string | undefined =>
  e[name]?.trim() || undefined;

/** A PEM value: inline, or read from the file the variable names. */
function pem(e: NodeJS.ProcessEnv, name: string): Buffer | undefined {
  const value = read(e, name);
  if (value === undefined) return undefined;
  if (value.startsWith('-----BEGIN')) return Buffer.from(value.replace(/\\n/g, '\n'));
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch {
    throw new ConfigProblem(`${name} is neither PEM text nor a readable file: ${value}`);
  }
  if (!text.includes('-----BEGIN')) throw new ConfigProblem(`${name}: ${value} holds no PEM`);
  return Buffer.from(text);
}

/** Both halves of a client certificate, or neither. */
function certPair(
  e: NodeJS.ProcessEnv,
  certName: string,
  keyName: string,
): { crt: Buffer; key: Buffer } | undefined {
  const crt = pem(e, certName);
  const key = pem(e, keyName);
  if (!crt && !key) return undefined;
  if (!crt || !key) throw new ConfigProblem(`${certName} and ${keyName} go together (mTLS)`);
  return { crt, key };
}

/**
 * TEMPORAL_TLS=on, or any of TEMPORAL_TLS_CA / _CERT / _KEY / _SERVER_NAME set, turns TLS on
 * (with the system's CAs unless TEMPORAL_TLS_CA is given); TEMPORAL_TLS_CERT and _KEY add a
 * client certificate (mTLS).
 */
export function temporalTlsFromEnv(e: NodeJS.ProcessEnv = process.env): TemporalTls | undefined {
  return loadConfig(
    {
      tls: (source: NodeJS.ProcessEnv) => {
        const ca = pem(source, 'TEMPORAL_TLS_CA');
        const pair = certPair(source, 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY');
        const serverName = read(source, 'TEMPORAL_TLS_SERVER_NAME');
        const explicit = read(source, 'TEMPORAL_TLS');
        const on = explicit
          ? env.oneOf('TEMPORAL_TLS', ON_OFF, 'off')(source) === 'on'
          : Boolean(ca || pair || serverName);
        if (!on) {
          if (ca || pair || serverName)
            throw new ConfigProblem('TEMPORAL_TLS=off with TEMPORAL_TLS_* settings: which is it?');
          return undefined;
        }
        return {
          ...(serverName ? { serverNameOverride: serverName } : {}),
          ...(ca ? { serverRootCACertificate: ca } : {}),
          ...(pair ? { clientCertPair: pair } : {}),
        };
      },
    },
    e,
  ).tls;
}

/** The options of every Temporal connection, client or worker, to `address`. */
export function temporalConnectionOptions(
  address: string,
  e: NodeJS.ProcessEnv = process.env,
): TemporalConnectionOptions {
  const tls = temporalTlsFromEnv(e);
  return tls ? { address, tls } : { address };
}

/**
 * KAFKA_SSL=on (or KAFKA_SSL_CA / _CERT / _KEY set) turns TLS on; KAFKA_SASL_MECHANISM with
 * KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD adds SASL (SCRAM-SHA-512 recommended; `plain`
 * only over TLS). A broker whose certificate does not chain to KAFKA_SSL_CA (or the system's
 * CAs) is refused: certificate checks are never turned off.
 */
export function kafkaSecurityFromEnv(e: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  return loadConfig<KafkaSecurity>(
    {
      ssl: (source) => {
        const ca = pem(source, 'KAFKA_SSL_CA');
        const pair = certPair(source, 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY');
        const serverName = read(source, 'KAFKA_SSL_SERVER_NAME');
        const explicit = read(source, 'KAFKA_SSL');
        const on = explicit
          ? env.oneOf('KAFKA_SSL', ON_OFF, 'off')(source) === 'on'
          : Boolean(ca || pair);
        if (!on) {
          if (ca || pair)
            throw new ConfigProblem('KAFKA_SSL=off with KAFKA_SSL_* settings: which is it?');
          return undefined;
        }
        return {
          rejectUnauthorized: true,
          ...(ca ? { ca: [ca] } : {}),
          ...(pair ? { cert: pair.crt, key: pair.key } : {}),
          ...(serverName ? { servername: serverName } : {}),
        };
      },
      sasl: (source) => {
        const mechanism = read(source, 'KAFKA_SASL_MECHANISM');
        const username = read(source, 'KAFKA_SASL_USERNAME');
        const password = source.KAFKA_SASL_PASSWORD; // as given: a password may have spaces
        if (!mechanism) {
          if (username || password)
            throw new ConfigProblem('KAFKA_SASL_USERNAME/PASSWORD need KAFKA_SASL_MECHANISM');
          return undefined;
        }
        const chosen = env.oneOf(
          'KAFKA_SASL_MECHANISM',
          KAFKA_SASL_MECHANISMS,
          'scram-sha-512',
        )(source);
        if (!username || !password)
          throw new ConfigProblem(
            'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
          );
        return { mechanism: chosen, username, password } as SASLOptions;
      },
    },
    e,
  );
}

/** `plain` sends the password as is: refused unless the link is TLS. */
export function checkKafkaSecurity(security: KafkaSecurity): KafkaSecurity {
  if (security.sasl?.mechanism === 'plain' && !security.ssl) {
    throw new ConfigError([
      'KAFKA_SASL_MECHANISM=plain sends the password in clear: set KAFKA_SSL=on',
    ]);
  }
  return security;
}
