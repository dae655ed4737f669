/**
 * The anti-corruption mapping as an extension point (docs/strangler.md#bring-your-own-monolith):
 * what a team implements so the mirror can read its own monolith. A mapping says which tables
 * (and which outbox, if any) the mirror reads, and turns what it reads into the platform's legacy
 * facts (domain/src/legacy-events.ts), or says why it cannot: `unmappable` with a reason, which
 * the mirror dead-letters while the stream goes on. It never guesses.
 *
 * A mapping module exports `createMapping(sources)`; the legacy adapter loads it from
 * MIRROR_MAPPING (the sample monolith's, `legacy-adapter/src/mappings/sample-monolith.mapping.ts`,
 * by default) and `npm run mapping:check` runs it against recorded rows and the fact contract.
 */
import type { LegacyEvent } from '@order-platform/domain';

export type Mapped = { events: LegacyEvent[] } | { unmappable: string };

/** One row change of a committed monolith transaction, as logical decoding delivers it. */
export interface RowChange {
  /** Schema-qualified, e.g. `monolith.orders`. */
  table: string;
  kind: 'insert' | 'update';
  /** Column name to value; bigint and numeric columns arrive as text. */
  row: Record<string, unknown>;
}

/** A row of the monolith's outbox table. */
export interface OutboxRecord {
  id: string;
  aggregate_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

export interface TransactionContext {
  /** When the monolith committed the transaction (ISO 8601): the facts' `occurredAt`. */
  committedAt: string;
  /**
   * The transaction came in parts (a large one is mapped and sent chunk by chunk, to bound the
   * mirror's memory): rows that belong together, such as an order and its lines, may sit in
   * different parts, so read them with `related` instead of looking for them among `changes`.
   */
  partial: boolean;
  /**
   * Rows of one of the mapping's tables whose `column` equals any of `values`, as committed now:
   * what changes need from outside what they were given (the lines of an order cancelled later,
   * say). One call for all the changes at hand: it is one query.
   */
  related(
    table: string,
    column: string,
    values: readonly unknown[],
  ): Promise<Record<string, unknown>[]>;
}

/** What one source change (or outbox record) became. */
export interface MappedChange {
  /** The change (or record) as read: kept whole in a dead-letter message. */
  source: RowChange | OutboxRecord;
  mapped: Mapped;
}

export interface LegacyMapping {
  /** For logs and the contract kit's report. */
  readonly name: string;
  /** The tables the change-data-capture source streams (the publication), schema-qualified. */
  readonly tables: readonly string[];
  /** The outbox table the outbox source polls; undefined when the monolith has none. */
  readonly outboxTable?: string;
  /**
   * The facts of one committed transaction, one entry per change that records anything (changes
   * it does not care about, such as a line table's own rows, may be left out). Deterministic: the
   * same transaction maps to the same facts, the same event ids included.
   */
  fromTransaction(
    changes: readonly RowChange[],
    context: TransactionContext,
  ): Promise<MappedChange[]>;
  /** The facts of one outbox record; absent when the monolith has no outbox. */
  fromOutbox?(record: OutboxRecord): Mapped;
}

/** Where the mirror reads, as configured (MIRROR_TABLES, MIRROR_OUTBOX_TABLE); unset: the mapping's own defaults. */
export interface MappingSources {
  tables?: readonly string[];
  outboxTable?: string;
}

/** What a mapping module exports. */
export interface LegacyMappingModule {
  createMapping(sources: MappingSources): LegacyMapping;
}

const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** Checks what a mapping declares before the mirror builds SQL from it. */
export function checkMappingSources(mapping: LegacyMapping): LegacyMapping {
  for (const table of [...mapping.tables, ...(mapping.outboxTable ? [mapping.outboxTable] : [])]) {
    if (!QUALIFIED.test(table)) {
      throw new Error(`mapping ${mapping.name}: not a schema-qualified lower-case table: ${table}`);
    }
  }
  if (mapping.tables.length === 0 && !mapping.fromOutbox) {
    throw new Error(`mapping ${mapping.name} reads neither tables nor an outbox`);
  }
  return mapping;
}
