import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_TABLES, type RawFormat, type SourceTable } from '../functions/core/contract.js';
import { ConfigError } from '../functions/core/errors.js';
import { splitStatements } from '../functions/core/sql/files.js';
import { quotedIdentifier, quotedLiteral } from '../functions/core/sql/quote.js';
import {
  FILE_PARTS,
  FORMAT_EXTENSIONS,
  formatFor,
  MALFORMED_FILE,
  MALFORMED_TABLE,
  malformedBatchIndex,
  TABLE_LAYOUTS,
  type FilePart,
  type PartLayout,
} from './layout.js';
import { validateGenerateOptions, type GenerateOptions, type ResolvedGenerateOptions } from './options.js';

export { validateGenerateOptions, GENERATE_FORMATS } from './options.js';
export type { GenerateOptions, GenerateFormat, ResolvedGenerateOptions } from './options.js';

/** A file that is not what its name promises; the pipeline quarantines it whole. */
export interface OddFile {
  /** Path relative to `out`, with forward slashes. */
  readonly file: string;
  readonly table: SourceTable;
  readonly batchId: string;
  readonly rows: number;
  readonly drift: string;
}

export interface GenerateSummary {
  out: string;
  /** Batch ids, ascending. */
  batches: string[];
  /** Files written under raw/, the malformed one included. */
  files: number;
  /** Rows written per table (parseable files only). */
  rowsByTable: Record<string, number>;
  /** Rows planted to break one rejection rule each, per table. */
  invalidRowsByTable: Record<string, number>;
  /** Paths (relative to `out`) of files that cannot be parsed at all. */
  malformedFiles: string[];
  seconds: number;
  /** Rows written per second of the whole run. */
  rowsPerSecond: number;
  rowsByTableAndBatch: Record<string, Record<string, number>>;
  /** Planted invalid rows per table and rejection rule. */
  invalidRowsByRule: Record<string, Record<string, number>>;
  /** Exact duplicates and copies per table and kind. */
  plantedRowsByTable: Record<string, Record<string, number>>;
  /** Files with an extra or missing optional column, or a missing required one. */
  driftFiles: OddFile[];
  /** Paths (relative to `out`) of the files that lack a required column: quarantined whole. */
  missingRequiredColumnFiles: string[];
}

/** Rows of the lake at scale 1; every count is linear in the scale. */
export const SCALE_ONE = { customers: 10_000, products: 1_000, orders: 100_000 } as const;

/** Name of the summary the generator writes next to raw/. */
export const SUMMARY_FILE = 'generator-summary.json';

const SQL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sql');
const SETUP_SCRIPTS = ['setup.sql', 'vocabulary.sql', 'planting.sql', 'dimension_records.sql'] as const;

/** Writes a deterministic sample lake (SPEC section 1 layout, section 2 contract) and its summary. */
export async function generateLake(options: GenerateOptions): Promise<GenerateSummary> {
  const resolved = validateGenerateOptions(options);
  const started = performance.now();
  const rawDir = path.join(resolved.out, 'raw');
  if (existsSync(rawDir) && readdirSync(rawDir).length > 0) {
    throw new ConfigError(`out already holds a lake (${rawDir} is not empty): raw files are never rewritten, choose an empty folder`);
  }
  const batches = batchIds(resolved.startDate, resolved.days);

  // Large scales outgrow memory: let DuckDB spill to a scratch folder, never into the lake.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-generate-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: scratch });
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < tableConnections(resolved.scale); i += 1) {
      const connection = await instance.connect();
      connections.push(connection);
      // Variables belong to a connection.
      await setVariables(connection, resolved);
    }
    for (const script of SETUP_SCRIPTS) await runSetupScript(connections, script);
    await assertSameVariables(connections);

    const summary = emptySummary(resolved.out, batches);
    const tables = await generateTables(connections, resolved, batches);
    // Merged in contract order, whatever order the tables finished in: the summary file is byte-stable.
    for (const table of SOURCE_TABLES) mergeTableSummary(summary, table, tables.get(table) as GenerateSummary);

    summary.malformedFiles.push(writeMalformedFile(resolved, batches));
    summary.files += 1;

    const totalRows = Object.values(summary.rowsByTable).reduce((a, b) => a + b, 0);
    summary.seconds = (performance.now() - started) / 1000;
    summary.rowsPerSecond = Math.round(totalRows / Math.max(summary.seconds, 1e-3));
    writeSummaryFile(resolved, summary);
    return summary;
  } finally {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The batch ids of a run: one `YYYY-MM-DD` per day from the start date. */
export function batchIds(startDate: string, days: number): string[] {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/**
 * Tables whose script reads what another table's script wrote: order_lifecycles
 * (orders), product_prices (products), order_totals (order_items). A table
 * starts once these are done; otherwise small lakes' tables run side by side
 * (tableConnections). A need left out here fails loudly: each run has a fresh
 * instance, so the table read does not exist yet.
 */
const SCRIPT_NEEDS: Readonly<Partial<Record<SourceTable, readonly SourceTable[]>>> = {
  order_items: ['orders', 'products'],
  payments: ['orders', 'order_items'],
  shipments: ['orders'],
};

/**
 * Two tables at once while the lake is small: its statements are too small for
 * DuckDB to spread over both cores (the demo's lake: 0.83 s instead of 0.92 s
 * inside the demo; scale 3: 6.9 s instead of 7.6 s, peak RSS 0.68 -> 0.93 GB).
 * One at a time above, where each statement already uses every core and a
 * second table only competes for them (scale 10 in the bench: 17.8 -> 19.8 s,
 * peak RSS 1.57 -> 2.41 GiB).
 */
function tableConnections(scale: number): number {
  return scale <= 1 ? 2 : 1;
}

/** How many tables wait, directly or not, for this one: those go first. */
function waitingOn(table: SourceTable): number {
  return SOURCE_TABLES.filter((other) => other !== table && needsOf(other).has(table)).length;
}

function needsOf(table: SourceTable): Set<SourceTable> {
  const direct = SCRIPT_NEEDS[table] ?? [];
  return new Set([...direct, ...direct.flatMap((t) => [...needsOf(t)])]);
}

/** Generates and writes every table, each on the first free connection once the tables it needs are done; each table's figures apart. */
async function generateTables(
  connections: readonly DuckDBConnection[],
  options: ResolvedGenerateOptions,
  batches: string[],
): Promise<Map<SourceTable, GenerateSummary>> {
  const idle = [...connections];
  const queue: ((connection: DuckDBConnection) => void)[] = [];
  const acquire = (): Promise<DuckDBConnection> => {
    const connection = idle.shift();
    return connection ? Promise.resolve(connection) : new Promise((resolve) => queue.push(resolve));
  };
  const release = (connection: DuckDBConnection): void => {
    const next = queue.shift();
    if (next) next(connection);
    else idle.push(connection);
  };
  const done = new Map<SourceTable, Promise<GeneratedTable>>();
  for (const table of [...SOURCE_TABLES].sort((a, b) => waitingOn(b) - waitingOn(a))) {
    const needs = [...needsOf(table)].map((t) => done.get(t) ?? Promise.reject(new Error(`generator: ${table} needs ${t}, not generated before it`)));
    done.set(
      table,
      Promise.all(needs).then(async () => {
        const connection = await acquire();
        try {
          return await generateTable(connection, options, table, batches);
        } finally {
          release(connection);
        }
      }),
    );
  }
  // Progress in contract order, each line once its table and the ones before it are done.
  let told = Promise.resolve();
  for (const table of SOURCE_TABLES) {
    told = told.then(async () => options.onProgress((await done.get(table))?.progress ?? ''));
  }
  // Every table settles before the connections close; the first failure is the one told.
  const settled = await Promise.allSettled([...done.values(), told]);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return new Map(await Promise.all([...done].map(async ([table, generated]) => [table, (await generated).summary] as const)));
}

/** One table's figures and its progress line. */
interface GeneratedTable {
  readonly summary: GenerateSummary;
  readonly progress: string;
}

async function generateTable(connection: DuckDBConnection, options: ResolvedGenerateOptions, table: SourceTable, batches: string[]): Promise<GeneratedTable> {
  const started = performance.now();
  const summary = emptySummary(options.out, batches);
  await runScript(connection, `${table}.sql`);
  const files = await writeTableFiles(connection, options, table, batches, summary);
  await countPlanted(connection, table, summary);
  await connection.run(`drop table gen_${table}`);
  const seconds = (performance.now() - started) / 1000;
  return { summary, progress: `${table}: ${summary.rowsByTable[table] ?? 0} rows in ${files} files (${seconds.toFixed(1)} s)` };
}

// The figures of one table, written as generating the tables one after the other wrote them.
function mergeTableSummary(summary: GenerateSummary, table: SourceTable, part: GenerateSummary): void {
  summary.files += part.files;
  for (const key of ['rowsByTable', 'rowsByTableAndBatch', 'invalidRowsByRule', 'invalidRowsByTable', 'plantedRowsByTable'] as const) {
    if (table in part[key]) (summary[key] as Record<string, unknown>)[table] = part[key][table];
  }
  summary.driftFiles.push(...part.driftFiles);
  summary.missingRequiredColumnFiles.push(...part.missingRequiredColumnFiles);
}

async function setVariables(connection: DuckDBConnection, options: ResolvedGenerateOptions): Promise<void> {
  const count = (atScaleOne: number): number => Math.max(1, Math.round(atScaleOne * options.scale));
  const variables: Record<string, string> = {
    seed: `${options.seed}::bigint`,
    t0: `timestamp ${quotedLiteral(options.startDate)}`,
    days: `${options.days}::integer`,
    n_customers: `${count(SCALE_ONE.customers)}::bigint`,
    n_products: `${count(SCALE_ONE.products)}::bigint`,
    n_orders: `${count(SCALE_ONE.orders)}::bigint`,
  };
  for (const [name, value] of Object.entries(variables)) await connection.run(`set variable ${name} = ${value}`);
}

/** Runs a setup script on the first connection, its `set variable` statements (what a connection keeps to itself) on every one. */
async function runSetupScript(connections: readonly DuckDBConnection[], file: string): Promise<void> {
  const [first, ...others] = connections as [DuckDBConnection, ...DuckDBConnection[]];
  const statements = scriptStatements(file);
  await runStatements(first, file, statements);
  const variables = statements.filter((sql) => SET_VARIABLE.test(sql));
  for (const connection of others) await runStatements(connection, file, variables);
}

const SET_VARIABLE = /^(\s*--[^\n]*\n)*\s*set\s+variable\b/i;

// A variable missing on one connection reads as NULL there, and that table's
// files would silently differ (no synonyms, say): fail instead.
async function assertSameVariables(connections: readonly DuckDBConnection[]): Promise<void> {
  const seen = await Promise.all(
    connections.map(async (connection) =>
      JSON.stringify((await connection.runAndReadAll(`select name, hash(value)::varchar as h from duckdb_variables() order by name`)).getRows()),
    ),
  );
  if (new Set(seen).size > 1) throw new Error(`generator: the connections hold different variables (${seen.join(' / ')})`);
}

async function runScript(connection: DuckDBConnection, file: string): Promise<void> {
  await runStatements(connection, file, scriptStatements(file));
}

function scriptStatements(file: string): string[] {
  return splitStatements(readFileSync(path.join(SQL_DIR, file), 'utf8'));
}

// Statements of generator/sql/<file>, in order; a failure names the file and the statement's place in the list.
async function runStatements(connection: DuckDBConnection, file: string, statements: readonly string[]): Promise<void> {
  for (const [i, sql] of statements.entries()) {
    try {
      await connection.run(sql);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`generator/sql/${file} statement ${i + 1} failed: ${message}`, { cause: error });
    }
  }
}

// One COPY per file: ORDER BY keeps every file byte-stable, and each part of a
// batch can have its own columns (PARTITION_BY cannot do either, nor JSON).
async function writeTableFiles(
  connection: DuckDBConnection,
  options: ResolvedGenerateOptions,
  table: SourceTable,
  batches: readonly string[],
  summary: GenerateSummary,
): Promise<number> {
  const generated = `gen_${table}`;
  const parts = await connection.runAndReadAll(
    `select batch_index::integer as batch_index, file_part, count(*)::integer as n_rows
     from ${generated} group by all order by all`,
  );
  let files = 0;
  const perBatch: Record<string, number> = {};
  for (const row of parts.getRowObjectsJson()) {
    const batchIndex = Number(row.batch_index);
    const part = String(row.file_part) as FilePart;
    const rows = Number(row.n_rows);
    const batchId = batches[batchIndex];
    const layout = TABLE_LAYOUTS[table][part];
    if (batchId === undefined || layout === undefined || !FILE_PARTS.includes(part)) {
      throw new Error(`generator/sql/${table}.sql produced rows for batch ${batchIndex}, part ${part}: no such file`);
    }
    const format = formatFor(options.format, table, batchIndex);
    const relative = `raw/${table}/batch_id=${batchId}/${layout.file}.${FORMAT_EXTENSIONS[format]}`;
    const target = path.join(options.out, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    await connection.run(copyStatement(generated, batchIndex, part, layout, format, target));
    files += 1;
    perBatch[batchId] = (perBatch[batchId] ?? 0) + rows;
    summary.rowsByTable[table] = (summary.rowsByTable[table] ?? 0) + rows;
    if (layout.drift !== undefined) summary.driftFiles.push({ file: relative, table, batchId, rows, drift: layout.drift });
    if (part === 'missing_column') summary.missingRequiredColumnFiles.push(relative);
  }
  summary.rowsByTableAndBatch[table] = perBatch;
  summary.files += files;
  return files;
}

function copyStatement(
  generated: string,
  batchIndex: number,
  part: FilePart,
  layout: PartLayout,
  format: RawFormat,
  target: string,
): string {
  const select = layout.columns.map((c) => `${quotedIdentifier(c.source)} as ${quotedIdentifier(c.header)}`).join(', ');
  const formatOptions = { csv: 'format csv, header true', jsonl: 'format json', parquet: 'format parquet' }[format];
  // Rows that share a sort_key are exact duplicates (copies keep their
  // record's strings), so ordering on it alone fixes every byte.
  return `copy (
      select ${select} from ${generated}
      where batch_index = ${batchIndex} and file_part = ${quotedLiteral(part)}
      order by sort_key
    ) to ${quotedLiteral(target)} (${formatOptions})`;
}

async function countPlanted(connection: DuckDBConnection, table: SourceTable, summary: GenerateSummary): Promise<void> {
  const reader = await connection.runAndReadAll(
    `select coalesce('invalid:' || invalid_rule, planted) as kind, count(*)::integer as n_rows
     from gen_${table}
     where invalid_rule is not null or planted is not null
     group by all order by all`,
  );
  const invalid: Record<string, number> = {};
  const planted: Record<string, number> = {};
  for (const row of reader.getRowObjectsJson()) {
    const kind = String(row.kind);
    if (kind.startsWith('invalid:')) invalid[kind.slice('invalid:'.length)] = Number(row.n_rows);
    else planted[kind] = Number(row.n_rows);
  }
  summary.invalidRowsByRule[table] = invalid;
  summary.invalidRowsByTable[table] = Object.values(invalid).reduce((a, b) => a + b, 0);
  summary.plantedRowsByTable[table] = planted;
}

// The one file no reader can parse: truncated JSON lines, or a parquet body
// without its footer. Written by hand: DuckDB only writes valid files.
function writeMalformedFile(options: ResolvedGenerateOptions, batches: readonly string[]): string {
  const batchIndex = malformedBatchIndex(options.days);
  const format: RawFormat = formatFor(options.format, MALFORMED_TABLE, batchIndex) === 'parquet' ? 'parquet' : 'jsonl';
  const relative = `raw/${MALFORMED_TABLE}/batch_id=${batches[batchIndex]}/${MALFORMED_FILE}.${FORMAT_EXTENSIONS[format]}`;
  const target = path.join(options.out, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  const body =
    format === 'parquet'
      ? `PAR1 this upload was cut off before its footer (seed ${options.seed}) PAR`
      : [
          `{"payment_id": "P-TRUNCATED-1", "order_id": "O000000001", "payment_method": "credit_card", "amount": "12.`,
          `{"payment_id": "P-TRUNCATED-2", "order_id": "O0000`,
          `{"payment_id": "P-TRUNCATED-3", "seed": ${options.seed}, "amount": 1`,
          '',
        ].join('\n');
  writeFileSync(target, body);
  return relative;
}

function emptySummary(out: string, batches: string[]): GenerateSummary {
  return {
    out,
    batches,
    files: 0,
    rowsByTable: {},
    invalidRowsByTable: {},
    malformedFiles: [],
    seconds: 0,
    rowsPerSecond: 0,
    rowsByTableAndBatch: {},
    invalidRowsByRule: {},
    plantedRowsByTable: {},
    driftFiles: [],
    missingRequiredColumnFiles: [],
  };
}

// Timings stay out of the file so that the whole output folder is reproducible.
function writeSummaryFile(options: ResolvedGenerateOptions, summary: GenerateSummary): void {
  const { seconds: _seconds, rowsPerSecond: _rowsPerSecond, out: _out, ...counts } = summary;
  const content = {
    options: {
      scale: options.scale,
      days: options.days,
      seed: options.seed,
      format: options.format,
      startDate: options.startDate,
    },
    ...counts,
  };
  writeFileSync(path.join(options.out, SUMMARY_FILE), `${JSON.stringify(content, null, 2)}\n`);
}
