/**
 * The mapping contract kit's command (docs/strangler.md#bring-your-own-monolith):
 *
 *   npm run mapping:check -- <mapping module> <recorded rows file> [--tables a,b,c] [--outbox-table t] [--json]
 *
 * Runs the mapping module against the recorded rows and checks every fact against the legacy
 * fact contract. Prints the facts by type, every unmappable record with its reason, and every
 * violation; exits 1 when there is a violation, 2 when the command itself is wrong (no such
 * file, not a mapping module), 0 otherwise.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  checkMapping,
  formatMappingReport,
  loadMapping,
  type RecordedRows,
} from '@order-platform/legacy-adapter';

const USAGE =
  'usage: mapping:check -- <mapping module> <recorded rows file> [--tables a,b,c] [--outbox-table schema.table] [--json]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        tables: { type: 'string' },
        'outbox-table': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [modulePath, rowsPath] = positionals;
  if (!modulePath || !rowsPath || positionals.length > 2) {
    console.error(USAGE);
    return 2;
  }
  let recording: RecordedRows;
  let mapping;
  try {
    recording = JSON.parse(readFileSync(rowsPath, 'utf8')) as RecordedRows;
    mapping = loadMapping(modulePath, {
      ...(values.tables ? { tables: values.tables.split(',').map((t) => t.trim()) } : {}),
      ...(values['outbox-table'] ? { outboxTable: values['outbox-table'] } : {}),
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const report = await checkMapping(mapping, recording);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatMappingReport(report));
  return report.violations.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(2);
  },
);
