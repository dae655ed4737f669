/**
 * The mapping contract kit: runs a mapping (legacy-mapping-port.ts) against rows recorded from a
 * monolith and checks what it makes of them, without a database or Kafka. For every recorded
 * transaction and outbox record:
 *
 * - every fact keeps the legacy fact contract (domain's legacyFactViolations);
 * - mapping the same input again gives the same facts (a replay or a restart repeats ids);
 * - one fact id never carries two different payloads across the recording;
 * - a mapping that throws instead of answering `unmappable` is a violation.
 *
 * Unmappable records are not violations (the mirror dead-letters them and goes on): they are
 * reported with their reasons, so a team sees what its mapping refuses.
 */
import { isDeepStrictEqual } from 'node:util';
import { legacyFactViolations, type LegacyEvent } from '@order-platform/domain';
import type { LegacyMapping, Mapped, OutboxRecord, RowChange } from './legacy-mapping-port';

/** What `npm run mapping:check` reads: rows as a monolith wrote them, JSON. */
export interface RecordedRows {
  /** What the recording is of. */
  description?: string;
  /**
   * Rows already there before the first recorded transaction, by table: what a mapping's
   * `related` finds, with the rows the recorded transactions insert up to the one mapped.
   */
  before?: Record<string, Record<string, unknown>[]>;
  /** Committed transactions, in commit order. */
  transactions?: { committedAt: string; changes: RowChange[] }[];
  /** Outbox records, in id order; `occurred_at` as ISO 8601. */
  outbox?: (Omit<OutboxRecord, 'occurred_at'> & { occurred_at: string })[];
}

export interface MappingReport {
  mapping: string;
  /** Source changes and outbox records the mapping answered for. */
  records: number;
  facts: number;
  factsByType: Record<string, number>;
  unmappable: { where: string; reason: string }[];
  violations: { where: string; problems: string[] }[];
}

export async function checkMapping(
  mapping: LegacyMapping,
  recording: RecordedRows,
): Promise<MappingReport> {
  const report: MappingReport = {
    mapping: mapping.name,
    records: 0,
    facts: 0,
    factsByType: {},
    unmappable: [],
    violations: [],
  };
  const payloadById = new Map<string, { payload: unknown; where: string }>();
  const judge = (where: string, mapped: Mapped): void => {
    report.records += 1;
    if ('unmappable' in mapped) {
      if (typeof mapped.unmappable !== 'string' || mapped.unmappable.trim() === '') {
        report.violations.push({ where, problems: ['unmappable without a reason'] });
      } else report.unmappable.push({ where, reason: mapped.unmappable });
      return;
    }
    if (!Array.isArray(mapped.events)) {
      report.violations.push({ where, problems: ['neither events nor unmappable'] });
      return;
    }
    for (const [i, event] of (mapped.events as unknown[]).entries()) {
      const at = `${where} fact ${i + 1}`;
      const problems = legacyFactViolations(event);
      if (problems.length > 0) {
        report.violations.push({ where: `${at} (${describe(event)})`, problems });
        continue;
      }
      const fact = event as LegacyEvent;
      report.facts += 1;
      report.factsByType[fact.eventType] = (report.factsByType[fact.eventType] ?? 0) + 1;
      const earlier = payloadById.get(fact.eventId);
      if (earlier && !isDeepStrictEqual(earlier.payload, fact.payload)) {
        report.violations.push({
          where: at,
          problems: [
            `${fact.eventId} carries another payload than at ${earlier.where}: one fact, one meaning`,
          ],
        });
      } else if (!earlier) payloadById.set(fact.eventId, { payload: fact.payload, where: at });
    }
  };

  const inserted = new Map<string, Record<string, unknown>[]>(
    Object.entries(recording.before ?? {}).map(([table, rows]) => [table, [...rows]]),
  );
  for (const [t, transaction] of (recording.transactions ?? []).entries()) {
    for (const change of transaction.changes.filter((c) => c.kind === 'insert')) {
      inserted.set(change.table, [...(inserted.get(change.table) ?? []), change.row]);
    }
    const context = {
      committedAt: transaction.committedAt,
      partial: false,
      related: async (table: string, column: string, values: readonly unknown[]) =>
        (inserted.get(table) ?? []).filter((row) => values.includes(row[column])),
    };
    const where = `transactions[${t}]`;
    const first = await attempt(() => mapping.fromTransaction(transaction.changes, context));
    if ('threw' in first) {
      report.violations.push({ where, problems: [`the mapping threw: ${first.threw}`] });
      continue;
    }
    const again = await attempt(() => mapping.fromTransaction(transaction.changes, context));
    if (!('value' in again) || !isDeepStrictEqual(first.value, again.value)) {
      report.violations.push({
        where,
        problems: ['mapped twice, it gave other facts: a replay would not repeat them'],
      });
    }
    for (const { source, mapped } of first.value) {
      const index = transaction.changes.indexOf(source as RowChange);
      const change =
        index >= 0
          ? ` changes[${index}] (${transaction.changes[index]!.table} ${transaction.changes[index]!.kind})`
          : '';
      judge(`${where}${change}`, mapped);
    }
  }

  for (const [i, recorded] of (recording.outbox ?? []).entries()) {
    const where = `outbox[${i}] (${recorded.event_type})`;
    if (!mapping.fromOutbox) {
      report.violations.push({
        where,
        problems: ['the recording has outbox records, the mapping reads no outbox'],
      });
      continue;
    }
    const record: OutboxRecord = { ...recorded, occurred_at: new Date(recorded.occurred_at) };
    const mapped = await attempt(async () => mapping.fromOutbox!(record));
    if ('threw' in mapped)
      report.violations.push({ where, problems: [`the mapping threw: ${mapped.threw}`] });
    else judge(where, mapped.value);
  }
  return report;
}

async function attempt<T>(work: () => Promise<T>): Promise<{ value: T } | { threw: string }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) };
  }
}

const describe = (event: unknown): string => {
  const fields = (typeof event === 'object' && event !== null ? event : {}) as Record<
    string,
    unknown
  >;
  return `${String(fields.eventType)} of ${String(fields.orderId)}`;
};

/** The report as a person reads it. */
export function formatMappingReport(report: MappingReport): string {
  const out = [
    `mapping ${report.mapping}: ${report.records} records, ${report.facts} facts, ${report.unmappable.length} unmappable, ${report.violations.length} contract violations`,
  ];
  for (const [type, count] of Object.entries(report.factsByType)) out.push(`  ${type}: ${count}`);
  if (report.unmappable.length > 0) {
    out.push('unmappable (dead-lettered with the reason, the stream goes on):');
    for (const { where, reason } of report.unmappable) out.push(`  ${where}: ${reason}`);
  }
  if (report.violations.length > 0) {
    out.push('contract violations:');
    for (const { where, problems } of report.violations) {
      for (const problem of problems) out.push(`  ${where}: ${problem}`);
    }
  }
  return out.join('\n');
}
