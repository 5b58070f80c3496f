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
  const connection = await instance.connect();
  try {
    await setVariables(connection, resolved);
    for (const script of SETUP_SCRIPTS) await runScript(connection, script);

    const summary = emptySummary(resolved.out, batches);
    for (const table of SOURCE_TABLES) {
      const tableStarted = performance.now();
      await runScript(connection, `${table}.sql`);
      const files = await writeTableFiles(connection, resolved, table, batches, summary);
      await countPlanted(connection, table, summary);
      await connection.run(`drop table gen_${table}`);
      const rows = summary.rowsByTable[table] ?? 0;
      const seconds = (performance.now() - tableStarted) / 1000;
      resolved.onProgress(`${table}: ${rows} rows in ${files} files (${seconds.toFixed(1)} s)`);
    }

    summary.malformedFiles.push(writeMalformedFile(resolved, batches));
    summary.files += 1;

    const totalRows = Object.values(summary.rowsByTable).reduce((a, b) => a + b, 0);
    summary.seconds = (performance.now() - started) / 1000;
    summary.rowsPerSecond = Math.round(totalRows / Math.max(summary.seconds, 1e-3));
    writeSummaryFile(resolved, summary);
    return summary;
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The batch ids of a run: one `YYYY-MM-DD` per day from the start date. */
export function batchIds(startDate: string, days: number): string[] {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
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

async function runScript(connection: DuckDBConnection, file: string): Promise<void> {
  const statements = splitStatements(readFileSync(path.join(SQL_DIR, file), 'utf8'));
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
