/**
 * A sample legacy order monolith: the stand-in for a customer's system that the platform
 * strangles. It shares no code with the platform on purpose. Its order flow, tables and outbox
 * arrive with issue #5; today it serves its health and checks its own database.
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';

const port = Number(process.env.LEGACY_MONOLITH_PORT ?? 3100);
const databaseUrl = process.env.LEGACY_DATABASE_URL;
if (!databaseUrl || !Number.isInteger(port)) {
  process.stderr.write(
    'legacy-monolith: LEGACY_DATABASE_URL is required and LEGACY_MONOLITH_PORT must be a port\n',
  );
  process.exit(1);
}
const db = new Pool({ connectionString: databaseUrl, max: 4 });
// An idle connection closed by a database restart must not crash the service.
db.on('error', (error) =>
  process.stderr.write(`legacy-monolith: idle database connection lost: ${error.message}\n`),
);

const server = createServer((request, response) => {
  const reply = (status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.url === '/health/live') return reply(200, { status: 'ok' });
  if (request.url === '/health/ready') {
    db.query('SELECT 1').then(
      () => reply(200, { status: 'ok' }),
      (error: Error) => reply(503, { status: 'unavailable', error: error.message }),
    );
    return;
  }
  reply(404, { error: 'not found' });
});

server.listen(port, '0.0.0.0', () =>
  process.stdout.write(`legacy-monolith listening on ${port}\n`),
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => server.close(() => void db.end().then(() => process.exit(0))));
}
