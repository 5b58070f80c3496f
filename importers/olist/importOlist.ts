import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnNames, SOURCE_TABLES, type SourceTable } from '../../functions/core/contract.js';
import { ConfigError } from '../../functions/core/errors.js';
import { splitStatements } from '../../functions/core/sql/files.js';
import { quotedIdentifier as q, quotedLiteral as lit } from '../../functions/core/sql/quote.js';
import { OlistDataError, OlistSourceError } from './errors.js';
import { OLIST_FILES, OLIST_TIMESTAMP_FORMAT, type OlistSourceFile } from './sourceFiles.js';

export interface ImportOlistOptions {
  /** Folder holding the Kaggle CSV files. */
  readonly from: string;
  /** The lake to write; its raw/ must be absent or empty. */
  readonly out: string;
  readonly onProgress?: (message: string) => void;
}

export interface OlistImportSummary {
  from: string;
  out: string;
  /** Batch ids (purchase months, YYYY-MM), ascending. */
  batches: string[];
  /** Data rows read per source file. */
  sourceRows: Record<string, number>;
  /** Rows written per contract table. */
  rowsByTable: Record<string, number>;
  rowsByTableAndBatch: Record<string, Record<string, number>>;
  /** Files written under raw/. */
  files: number;
  seconds: number;
}

/** Name of the summary the importer writes next to raw/. */
export const IMPORT_SUMMARY_FILE = 'olist-import.json';
/** Name of each raw file the importer writes: `raw/<table>/batch_id=<YYYY-MM>/olist.parquet`. */
export const RAW_FILE_NAME = 'olist.parquet';
/** The dataset's attribution, written into the lake's summary. */
export const OLIST_ATTRIBUTION =
  'Olist Brazilian E-Commerce Public Dataset (Olist, Kaggle olistbr/brazilian-ecommerce), licence CC BY-NC-SA 4.0';

const SQL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sql');
const MAPPING_SCRIPTS = ['timeline.sql', 'customers.sql', 'products.sql', 'orders.sql', 'order_items.sql', 'payments.sql', 'shipments.sql'] as const;
const PROBLEMS_SHOWN = 10;

/**
 * Turns the Kaggle Olist CSVs into a lake in the source contract, one batch per
 * purchase month (README "Real data: Olist" has the mapping). All the work is
 * SQL in an in-memory DuckDB; nothing is written unless every check passes, and
 * raw/ appears only once complete.
 */
export async function importOlist(options: ImportOlistOptions): Promise<OlistImportSummary> {
  const from = path.resolve(options.from);
  const out = path.resolve(options.out);
  const progress = options.onProgress ?? (() => undefined);
  const sources = locateSourceFiles(from);
  assertEmptyLake(out);
  const started = performance.now();

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-olist-'));
  // One thread: row_number() over () then numbers rows in file order.
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: scratch });
  const connection = await instance.connect();
  const staging = path.join(out, `.olist-import-${process.pid}`);
  try {
    await connection.run(`set variable olist_timestamp_format = ${lit(OLIST_TIMESTAMP_FORMAT)}`);
    await runScript(connection, 'setup.sql');
    const sourceRows: Record<string, number> = {};
    for (const source of OLIST_FILES) {
      sourceRows[source.file] = await loadSourceFile(connection, source, sources.get(source.file) ?? '');
      progress(`read ${source.file}: ${sourceRows[source.file]} rows`);
    }
    const ordersFile = OLIST_FILES[0].file;
    if (sourceRows[ordersFile] === 0) throw new OlistSourceError(`${ordersFile} holds no orders: nothing to import`);
    await checkSourceValues(connection);
    progress('checked keys, timestamps and references: no problems');
    for (const script of MAPPING_SCRIPTS) await runScript(connection, script);

    const summary: OlistImportSummary = { from, out, batches: [], sourceRows, rowsByTable: {}, rowsByTableAndBatch: {}, files: 0, seconds: 0 };
    rmSync(staging, { recursive: true, force: true });
    for (const table of SOURCE_TABLES) {
      const perBatch = await writeTable(connection, table, staging);
      const rows = Object.values(perBatch).reduce((a, b) => a + b, 0);
      summary.rowsByTableAndBatch[table] = perBatch;
      summary.rowsByTable[table] = rows;
      summary.files += Object.keys(perBatch).length;
      progress(`${table}: ${rows} rows in ${Object.keys(perBatch).length} batches`);
    }
    summary.batches = [...new Set(Object.values(summary.rowsByTableAndBatch).flatMap((b) => Object.keys(b)))].sort();
    // Publish raw/ in one rename: a failed import leaves no half-written lake behind.
    mkdirSync(out, { recursive: true });
    rmSync(path.join(out, 'raw'), { recursive: true, force: true }); // empty, checked above
    renameSync(path.join(staging, 'raw'), path.join(out, 'raw'));
    writeSummaryFile(summary, sources);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(staging, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The absolute path of every source file, or an OlistSourceError naming each one missing. */
function locateSourceFiles(from: string): Map<string, string> {
  if (!existsSync(from) || !statSync(from).isDirectory()) {
    throw new OlistSourceError(`--from folder not found: ${from} (expected the Kaggle Olist CSV files there)`);
  }
  const present = readdirSync(from);
  const missing = OLIST_FILES.map((s) => s.file).filter((file) => !present.includes(file));
  if (missing.length > 0) {
    const csvs = present.filter((name) => name.toLowerCase().endsWith('.csv')).sort();
    throw new OlistSourceError(
      `missing Olist file(s) in ${from}: ${missing.join(', ')} (CSV files there: ${csvs.length > 0 ? csvs.join(', ') : 'none'})`,
    );
  }
  return new Map(OLIST_FILES.map((s) => [s.file, path.join(from, s.file)]));
}

function assertEmptyLake(out: string): void {
  const raw = path.join(out, 'raw');
  if (existsSync(raw) && readdirSync(raw).length > 0) {
    throw new ConfigError(`out already holds a lake (${raw} is not empty): raw files are never rewritten, choose an empty folder`);
  }
}

// RFC 4180, given explicitly: DuckDB's sniffer may guess `'` as the quote
// character, and Olist city names hold apostrophes (santa barbara d'oeste).
function csvReader(file: string): string {
  return `read_csv(${lit(file)}, delim = ',', quote = '"', escape = '"', header = true, all_varchar = true, hive_partitioning = false)`;
}

/** Loads one CSV's used columns into `source.table` (trimmed text, empty as NULL, plus source_row); returns its row count. */
async function loadSourceFile(connection: DuckDBConnection, source: OlistSourceFile, file: string): Promise<number> {
  let header: string[];
  try {
    const described = await connection.runAndReadAll(`select column_name from (describe select * from ${csvReader(file)})`);
    header = described.getRowObjectsJson().map((row) => String(row.column_name));
  } catch (error) {
    throw new OlistSourceError(`${source.file} cannot be read as CSV: ${firstLine(error, file, source.file)}`, { cause: error });
  }
  const byName = new Map(header.map((name) => [name.trim().toLowerCase(), name]));
  const missing = source.columns.filter((column) => !byName.has(column));
  if (missing.length > 0) {
    throw new OlistSourceError(`${source.file} lacks column(s) ${missing.join(', ')} (its header: ${header.join(', ')})`);
  }
  const columns = source.columns.map((column) => `nullif(trim(${q(byName.get(column) ?? column)}), '') as ${q(column)}`);
  try {
    await connection.run(
      `create table ${q(source.table)} as select row_number() over () as source_row, ${columns.join(', ')} from ${csvReader(file)}`,
    );
  } catch (error) {
    throw new OlistSourceError(`${source.file} cannot be read as CSV: ${firstLine(error, file, source.file)}`, { cause: error });
  }
  const counted = await connection.runAndReadAll(`select count(*)::integer as n from ${q(source.table)}`);
  return Number(counted.getRowObjectsJson()[0]?.n ?? 0);
}

/** Throws an OlistDataError listing the first problems of validate.sql, if any. */
async function checkSourceValues(connection: DuckDBConnection): Promise<void> {
  await runScript(connection, 'validate.sql');
  const reader = await connection.runAndReadAll(
    `select file, source_row::integer as source_row, column_name, value, problem, count(*) over ()::integer as total
     from olist_problems order by file, source_row, column_name limit ${PROBLEMS_SHOWN}`,
  );
  const rows = reader.getRowObjectsJson();
  if (rows.length === 0) return;
  const total = Number(rows[0]?.total ?? rows.length);
  const lines = rows.map((r) => {
    const value = r.value === null ? '' : ` '${String(r.value)}'`;
    return `  ${String(r.file)} row ${String(r.source_row)}: ${String(r.column_name)}${value} ${String(r.problem)}`;
  });
  if (total > rows.length) lines.push(`  ... and ${total - rows.length} more`);
  throw new OlistDataError(`the Olist files have ${total} problem(s); nothing was written:\n${lines.join('\n')}`, total);
}

/** Writes one contract table's rows, one Parquet file per batch; returns rows per batch. */
async function writeTable(connection: DuckDBConnection, table: SourceTable, staging: string): Promise<Record<string, number>> {
  const lakeTable = q(`lake_${table}`);
  const described = await connection.runAndReadAll(`select column_name from (describe ${lakeTable})`);
  const columns = described.getRowObjectsJson().map((r) => String(r.column_name)).filter((c) => c !== 'batch_id');
  const outsideContract = columns.filter((c) => !columnNames(table).includes(c));
  if (outsideContract.length > 0) throw new Error(`importers/olist/sql/${table}.sql writes non-contract column(s) ${outsideContract.join(', ')}`);

  const batches = await connection.runAndReadAll(`select batch_id, count(*)::integer as n from ${lakeTable} group by all order by batch_id`);
  const perBatch: Record<string, number> = {};
  for (const row of batches.getRowObjectsJson()) {
    const batchId = String(row.batch_id);
    const folder = path.join(staging, 'raw', table, `batch_id=${batchId}`);
    mkdirSync(folder, { recursive: true });
    // ORDER BY ALL: the same source gives byte-identical files.
    await connection.run(
      `copy (select ${columns.map(q).join(', ')} from ${lakeTable} where batch_id = ${lit(batchId)} order by all)
       to ${lit(path.join(folder, RAW_FILE_NAME))} (format parquet)`,
    );
    perBatch[batchId] = Number(row.n);
  }
  return perBatch;
}

async function runScript(connection: DuckDBConnection, file: string): Promise<void> {
  const statements = splitStatements(readFileSync(path.join(SQL_DIR, file), 'utf8'));
  for (const [i, sql] of statements.entries()) {
    try {
      await connection.run(sql);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`importers/olist/sql/${file} statement ${i + 1} failed: ${message}`, { cause: error });
    }
  }
}

// Timings and absolute paths stay out of the file: the same source gives the same lake.
function writeSummaryFile(summary: OlistImportSummary, sources: Map<string, string>): void {
  const files = Object.fromEntries(
    [...sources].map(([name, file]) => [name, { rows: summary.sourceRows[name] ?? 0, bytes: statSync(file).size }]),
  );
  const content = {
    source: { dataset: OLIST_ATTRIBUTION, files },
    batches: summary.batches,
    rowsByTable: summary.rowsByTable,
    rowsByTableAndBatch: summary.rowsByTableAndBatch,
  };
  writeFileSync(path.join(summary.out, IMPORT_SUMMARY_FILE), `${JSON.stringify(content, null, 2)}\n`);
}

function firstLine(error: unknown, absolute: string, name: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/^[A-Za-z ]+Error: /, '').replaceAll(absolute, name).trim();
}
