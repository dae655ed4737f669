/** Free loopback ports, so test runs never collide with a running platform or each other. */
import { connect, createServer } from 'node:net';

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free loopback port in [from, to]: random tries, each bound for a moment to prove it free.
 * For programs that cannot take the kernel's ephemeral ports (32768 and up on Linux).
 */
export async function findFreePortIn(from: number, to: number, tries = 200): Promise<number> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${from}-${to} after ${tries} tries`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
