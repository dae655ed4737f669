/**
 * Certificates made at test time with the openssl CLI (Debian's, on every machine the suites run
 * on): a CA, a server certificate for 127.0.0.1/localhost and a client certificate it signed,
 * and, to be refused, a second CA with its own client certificate. PEM files in a temporary
 * folder, keys unencrypted PKCS#8 (what Kafka's PEM keystore and Node's tls both read). Valid
 * for a day; nothing is kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestCertificates {
  dir: string;
  caFile: string;
  ca: string;
  server: IssuedCertificate;
  client: IssuedCertificate;
  /** Another CA, trusted by nobody here, and a client certificate it signed. */
  otherCaFile: string;
  otherClient: IssuedCertificate;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${stderr}`);
  }
}

function authority(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  ]);
}

function issue(dir: string, ca: string, name: string, usage: 'serverAuth' | 'clientAuth') {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name === 'server' ? 'localhost' : name}`,
  ]);
  const extensions = join(dir, `${name}.ext`);
  writeFileSync(
    extensions,
    [
      'basicConstraints=CA:FALSE',
      `extendedKeyUsage=${usage}`,
      ...(usage === 'serverAuth' ? ['subjectAltName=DNS:localhost,IP:127.0.0.1'] : []),
      '',
    ].join('\n'),
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    extensions,
  ]);
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
  };
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'test-certificates-'));
  authority(dir, 'test-ca');
  authority(dir, 'other-ca');
  const server = issue(dir, 'test-ca', 'server', 'serverAuth');
  const client = issue(dir, 'test-ca', 'order-platform-client', 'clientAuth');
  const otherClient = issue(dir, 'other-ca', 'stranger-client', 'clientAuth');
  const caFile = join(dir, 'test-ca.crt');
  return {
    dir,
    caFile,
    ca: readFileSync(caFile, 'utf8'),
    server,
    client,
    otherCaFile: join(dir, 'other-ca.crt'),
    otherClient,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
