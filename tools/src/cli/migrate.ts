/**
 * Applies the platform's pending migrations to DATABASE_URL, says which, and exits: the one-shot
 * `migrate` service of docker-compose.yml. (`platform.ts migrate` finds its database in the local
 * stack's state file instead, which a container does not have.)
 */
import { migrate } from '@order-platform/migrations';
import { env, loadConfig } from '@order-platform/runtime';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig({
    databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
  });
  const applied = await migrate(databaseUrl);
  process.stdout.write(
    applied.length > 0
      ? `migrations applied: ${applied.join(', ')}\n`
      : 'migrations: none pending, the schema is up to date\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `migrate failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
