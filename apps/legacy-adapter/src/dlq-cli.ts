/**
 * Dead-letter operations from a shell, on the index the legacy adapter keeps (`dead_letter`):
 *   npm run dlq -- list [--topic <source topic>] [--reason <text>] [--status parked|replayed|failed-again]
 *                       [--limit 50] [--before <id>]
 *   npm run dlq -- show <id>
 *   npm run dlq -- replay <id...> --reason "<why>"
 *   npm run dlq -- replay --all [--topic ...] [--reason-contains <text>] --reason "<why>"
 * Reads DATABASE_URL and KAFKA_BROKERS, or the local stack's (.stack/stack.json). Prints JSON.
 * A replay is audited (`operator_audit`, action `dead-letter-replay`) as `cli:<user>`, the
 * account that runs the command: there is no option to name someone else (an `--operator` is
 * refused as an unknown option), as the API audits the token's subject, never a body field. Same code as the operator API (legacy-adapter/src/dead-letters/replay.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectReplayKafka, replayDeadLetters } from '@order-platform/legacy-adapter';
import { createKafka, createLogger, env, loadConfig } from '@order-platform/runtime';
import {
  DEAD_LETTER_STATUSES,
  type DeadLetterStatus,
  DeadLetterStore,
  platformDataSource,
} from '@order-platform/stores';

const USAGE = `usage: dlq list [--topic T] [--reason TEXT] [--status S] [--limit N] [--before ID]
       dlq show <id>
       dlq replay <id...> --reason WHY
       dlq replay --all [--topic T] [--reason-contains TEXT] --reason WHY`;

/** The local stack's settings, when no environment says otherwise. */
function stackEnv(): NodeJS.ProcessEnv {
  const file = join(
    process.env.STACK_STATE_DIR ?? join(__dirname, '../../..', '.stack'),
    'stack.json',
  );
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { env?: NodeJS.ProcessEnv }).env ?? {};
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      reason: { type: 'string' },
      'reason-contains': { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string', default: '50' },
      before: { type: 'string' },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, ...args] = positionals;
  const config = loadConfig(
    {
      databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
      kafkaBrokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:19092'),
    },
    { ...stackEnv(), ...process.env },
  );
  const db = await platformDataSource(config.databaseUrl, {
    applicationName: 'order-platform-dlq-cli',
    maxConnections: 2,
  }).initialize();
  const store = new DeadLetterStore(db);
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    if (command === 'list') {
      if (values.status && !DEAD_LETTER_STATUSES.includes(values.status as DeadLetterStatus)) {
        throw new Error(`--status is one of ${DEAD_LETTER_STATUSES.join(', ')}`);
      }
      const limit = Number.parseInt(values.limit, 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        throw new Error('--limit is 1 to 500');
      }
      print(
        await store.list(
          {
            sourceTopic: values.topic,
            reasonContains: values.reason,
            status: values.status as DeadLetterStatus | undefined,
          },
          { limit, before: values.before },
        ),
      );
    } else if (command === 'show' && args.length === 1) {
      const found = await store.show(args[0]!);
      if (!found) throw new Error(`no dead letter ${args[0]}`);
      print(found);
    } else if (command === 'replay' && (values.all ? args.length === 0 : args.length > 0)) {
      const reason = values.reason?.trim();
      if (!reason) throw new Error('replay needs --reason: what was fixed, for the audit');
      const kafka = createKafka({
        clientId: 'dlq-cli',
        brokers: config.kafkaBrokers,
        // Logs to stderr: stdout is the JSON answer, for scripts to parse.
        logger: createLogger('dlq-cli', 'warn', (line) => process.stderr.write(`${line}\n`)),
      });
      const replayKafka = await connectReplayKafka(kafka);
      try {
        print(
          await replayDeadLetters(
            store,
            replayKafka,
            values.all
              ? { all: { sourceTopic: values.topic, reasonContains: values['reason-contains'] } }
              : { ids: args },
            { operatorId: `cli:${userInfo().username}`, reason },
          ),
        );
      } finally {
        await replayKafka.disconnect();
      }
    } else {
      throw new Error(USAGE);
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
