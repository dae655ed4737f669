/**
 * Secure links, with certificates made now (openssl): the platform's Kafka client factory and its
 * Temporal connection options, configured only through the environment variables the apps read
 * (runtime/src/secure-links.ts).
 * - Kafka: a broker of this suite's own, started like the stack's with an extra SASL_SSL listener
 *   (server certificate from the test CA, a SCRAM-SHA-512 user made at format time). Messages go
 *   through it; a wrong password and a CA that did not sign the broker are refused.
 * - Temporal: the dev server cannot serve TLS, so an mTLS-terminating proxy (Node tls, ALPN h2,
 *   client certificates required) stands in front of it. This tests the client side only: the
 *   Temporal client and the worker's native connection connect with the right certificates and
 *   are refused without a client certificate, with one from another CA, or without the CA.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Kafka } from 'kafkajs';
import {
  createIdempotentProducer,
  createKafka,
  createLogger,
  kafkaCheck,
  kafkaSecurityFromEnv,
  temporalConnectionOptions,
} from '@order-platform/runtime';
import { AppsUnderTest } from '../testing/apps-under-test';
import { gatewayCall } from '../testing/gateway-call';
import { makeTestCertificates, type TestCertificates } from '../testing/test-certificates';
import { suiteEnv } from '../testing/suite-env';
import { startKafka, stopKafka } from './kafka';
import { findFreePort } from './ports';
import { readRunningStack } from './stack';

jest.setTimeout(180_000);

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs.remove());

describe('Kafka over SASL_SSL with SCRAM-SHA-512', () => {
  const TOPIC = 'secure-links.test';
  const USER = 'order-platform';
  const PASSWORD = randomUUID();
  let dir: string;
  let pidFile: string;
  let securePort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'secure-kafka-'));
    pidFile = join(dir, 'kafka.pid');
    const keystore = join(dir, 'broker.pem');
    writeFileSync(keystore, `${certs.server.key}\n${certs.server.cert}`, { mode: 0o600 });
    const [port, controllerPort] = [await findFreePort(), await findFreePort()];
    securePort = await findFreePort();
    const stack = readRunningStack(suiteEnv('ORDER_TEST_STACK_DIR'));
    if (!stack) throw new Error('no suite stack: the Kafka jars are found through it');
    await startKafka({
      libsDir: stack.toolchain.kafkaLibs,
      stateDir: join(dir, 'kafka'),
      logFile: join(dir, 'kafka.log'),
      pidFile,
      port,
      controllerPort,
      topics: [{ name: TOPIC, partitions: 1 }],
      partitions: 1,
      secureListener: {
        port: securePort,
        keystorePemFile: keystore,
        scramUsers: [{ name: USER, password: PASSWORD }],
      },
    });
  });

  afterAll(async () => {
    if (pidFile) await stopKafka(pidFile);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A client as an app makes it from `env`; `quiet` keeps the refusals' retries out of the log. */
  const secureKafka = (env: NodeJS.ProcessEnv, quiet = false): Kafka =>
    createKafka({
      clientId: `secure-links-${randomUUID().slice(0, 8)}`,
      brokers: [`127.0.0.1:${securePort}`],
      security: kafkaSecurityFromEnv(env),
      ...(quiet ? { logger: createLogger('secure-links', 'error', () => undefined) } : {}),
    });
  const rightEnv = () => ({
    KAFKA_SSL_CA: certs.caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: PASSWORD,
  });

  it('produces and consumes through the SASL_SSL listener with the CA and the SCRAM user', async () => {
    const kafka = secureKafka(rightEnv());
    const producer = createIdempotentProducer(kafka);
    const consumer = kafka.consumer({ groupId: `secure-links-${randomUUID()}` });
    const id = randomUUID();
    try {
      await producer.connect();
      await producer.send({ topic: TOPIC, messages: [{ key: id, value: `hello ${id}` }] });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key?.toString() === id) resolve(message.value!.toString());
          },
        });
      });
      expect(await received).toBe(`hello ${id}`);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('passes the readiness probe over the same link, and fails it with a wrong password', async () => {
    const brokers = [`127.0.0.1:${securePort}`];
    await expect(kafkaCheck(brokers, kafkaSecurityFromEnv(rightEnv())).check()).resolves.toBe(
      undefined,
    );
    const wrong = kafkaSecurityFromEnv({ ...rightEnv(), KAFKA_SASL_PASSWORD: 'not-it' });
    await expect(kafkaCheck(brokers, wrong).check()).rejects.toThrow();
  });

  it('is refused with a wrong password', async () => {
    const admin = secureKafka(
      { ...rightEnv(), KAFKA_SASL_PASSWORD: 'not-the-password' },
      true,
    ).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/i);
    await admin.disconnect();
  });

  it('refuses a broker whose certificate the configured CA did not sign', async () => {
    const admin = secureKafka({ ...rightEnv(), KAFKA_SSL_CA: certs.otherCaFile }, true).admin();
    await expect(admin.connect()).rejects.toThrow(/certificate/);
    await admin.disconnect();
  });

  it('is refused on the SASL_SSL port without TLS', async () => {
    const { KAFKA_SSL_CA: _ca, ...saslOnly } = rightEnv();
    const admin = secureKafka(saslOnly, true).admin();
    await expect(admin.connect()).rejects.toThrow(/Closed connection|Connection error/);
    await admin.disconnect();
  });
});

describe('Temporal behind an mTLS-terminating proxy (the client side)', () => {
  let proxy: TlsServer;
  let address: string;
  const open = new Set<Socket>();

  beforeAll(async () => {
    const [host, port] = suiteEnv('TEMPORAL_ADDRESS').split(':') as [string, string];
    proxy = createTlsServer(
      {
        key: certs.server.key,
        cert: certs.server.cert,
        ca: [certs.ca],
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (client) => {
        const upstream = tcpConnect(Number(port), host);
        open.add(client).add(upstream);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
        client.pipe(upstream).pipe(client);
      },
    );
    proxy.on('tlsClientError', () => undefined); // the refusals below are expected
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    address = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const socket of open) socket.destroy();
    proxy.close();
  });

  const withClientCert = () => ({
    TEMPORAL_TLS_CA: certs.caFile,
    TEMPORAL_TLS_CERT: certs.client.certFile,
    TEMPORAL_TLS_KEY: certs.client.keyFile,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  });

  it('connects the client and the worker connection with the CA and a client certificate', async () => {
    const options = temporalConnectionOptions(address, withClientCert());
    const client = await Connection.connect({ ...options, connectTimeout: '10s' });
    try {
      const info = await client.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await client.close();
    }
    const worker = await NativeConnection.connect(options);
    try {
      const info = await worker.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await worker.close();
    }
  });

  it('takes the certificates inline (PEM in the variable) as well as from files', async () => {
    const options = temporalConnectionOptions(address, {
      TEMPORAL_TLS_CA: certs.ca,
      TEMPORAL_TLS_CERT: certs.client.cert,
      TEMPORAL_TLS_KEY: certs.client.key,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    const client = await Connection.connect({ ...options, connectTimeout: '10s' });
    await client.close();
  });

  const refusals: [string, () => NodeJS.ProcessEnv][] = [
    [
      'without a client certificate',
      () => ({ TEMPORAL_TLS_CA: certs.caFile, TEMPORAL_TLS_SERVER_NAME: 'localhost' }),
    ],
    [
      'with a client certificate from another CA',
      () => ({
        ...withClientCert(),
        TEMPORAL_TLS_CERT: certs.otherClient.certFile,
        TEMPORAL_TLS_KEY: certs.otherClient.keyFile,
      }),
    ],
    [
      "without the CA that signed the proxy's certificate (the system's CAs only)",
      () => ({ ...withClientCert(), TEMPORAL_TLS_CA: '', TEMPORAL_TLS: 'on' }),
    ],
  ];

  it.each(refusals)('refuses the client and the worker connection %s', async (_, env) => {
    const options = temporalConnectionOptions(address, env());
    await expect(Connection.connect({ ...options, connectTimeout: '3s' })).rejects.toThrow();
    await expect(NativeConnection.connect(options)).rejects.toThrow();
  });

  it('refuses plaintext: a client without TLS settings gets no answer through the proxy', async () => {
    await expect(
      Connection.connect({ ...temporalConnectionOptions(address, {}), connectTimeout: '3s' }),
    ).rejects.toThrow();
  });

  describe('a gateway configured through TEMPORAL_TLS_*', () => {
    const apps = new AppsUnderTest('secure-links');
    afterAll(() => apps.stopAll());

    it('reaches Temporal through the proxy with its client certificate, and not without', async () => {
      const gateway = await apps.start('gateway', 'gateway', {
        TEMPORAL_ADDRESS: address,
        ...withClientCert(),
      });
      const ready = await gatewayCall(gateway, 'GET', '/health/ready');
      expect(ready.body.checks.temporal).toMatchObject({ status: 'up' });

      const { TEMPORAL_TLS_CERT: _cert, TEMPORAL_TLS_KEY: _key, ...caOnly } = withClientCert();
      const refused = await apps.start(
        'gateway',
        'gateway-without-cert',
        { TEMPORAL_ADDRESS: address, ...caOnly },
        'live',
      );
      // The proxy refuses it, so Temporal is lost to it: the gateway stays ready for stale reads
      // and says Temporal is degraded.
      const readiness = await gatewayCall(refused, 'GET', '/health/ready');
      expect(readiness.body.checks.temporal).toMatchObject({ status: 'degraded' });
    });
  });
});
