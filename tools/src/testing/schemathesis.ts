/**
 * Runs schemathesis (installed on first use by tools/toolchain/schemathesis.sh) against a live
 * API: property-based requests generated from its OpenAPI document, each response checked for
 * no 5xx, a documented status code and content type, and a body that matches the documented
 * schema. Bounded and repeatable: a fixed seed, one worker, no stateful phase, a per-request
 * timeout, and a fresh working folder per run, removed afterwards: schemathesis keeps its failures
 * in ./.schemathesis and replays them first on the next run, Hypothesis writes ./.hypothesis.
 * Never throws on failures found: the caller asserts exitCode 0 and prints output otherwise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS_DIR } from '../stack/versions';

export interface SchemathesisOptions {
  /** URL of the OpenAPI document, e.g. http://127.0.0.1:3000/docs-json. */
  schemaUrl: string;
  /** Base URL requests go to (the document's servers are ignored). */
  baseUrl: string;
  /** Sent with every request (e.g. authorization). */
  headers: Record<string, string>;
  /** Test cases per operation and phase. */
  maxExamples: number;
  /** Only these operations (exact matches; several values of one kind are alternatives). */
  include?: {
    path?: string[];
    pathRegex?: string;
    method?: string[];
    tag?: string[];
    operationId?: string[];
  };
  /** Kills the run after this long (default 5 minutes); exitCode is then nonzero. */
  timeoutMs?: number;
  /** Which inputs to generate: schema-valid ones, invalid ones, or both (default). */
  mode?: 'positive' | 'negative' | 'all';
  /** Default 42: the same seed generates the same cases against the same document. */
  seed?: number;
}

export const SCHEMATHESIS_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
];

export function schemathesisArgs(options: SchemathesisOptions): string[] {
  const { include = {} } = options;
  return [
    'run',
    options.schemaUrl,
    `--url=${options.baseUrl}`,
    `--checks=${SCHEMATHESIS_CHECKS.join(',')}`,
    '--phases=examples,coverage,fuzzing',
    `--mode=${options.mode ?? 'all'}`,
    `--max-examples=${options.maxExamples}`,
    `--seed=${options.seed ?? 42}`,
    '--generation-database=none',
    '--workers=1',
    '--request-timeout=10',
    '--wait-for-schema=30',
    '--no-color',
    ...Object.entries(options.headers).map(([name, value]) => `--header=${name}: ${value}`),
    ...(include.path ?? []).map((v) => `--include-path=${v}`),
    ...(include.pathRegex ? [`--include-path-regex=${include.pathRegex}`] : []),
    ...(include.method ?? []).map((v) => `--include-method=${v}`),
    ...(include.tag ?? []).map((v) => `--include-tag=${v}`),
    ...(include.operationId ?? []).map((v) => `--include-operation-id=${v}`),
  ];
}

export async function runSchemathesis(
  options: SchemathesisOptions,
): Promise<{ exitCode: number; output: string }> {
  const executable = execFileSync('bash', [join(TOOLS_DIR, 'toolchain', 'schemathesis.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  // Asynchronous, so an API served by this same process keeps answering while the run lasts.
  const cwd = mkdtempSync(join(tmpdir(), 'schemathesis-'));
  const result = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    const child = spawn(executable, schemathesisArgs(options), {
      cwd,
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '120', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 300_000,
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8'); // whole characters: the report is full of emoji and box lines
      stream.on('data', (text: string) => (output += text));
    }
    child.on('error', (error) => resolve({ exitCode: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code, signal) =>
      resolve(
        signal
          ? { exitCode: 1, output: `${output}\nschemathesis killed by ${signal} (timeout?)` }
          : { exitCode: code ?? 1, output },
      ),
    );
  });
  rmSync(cwd, { recursive: true, force: true });
  return result;
}
