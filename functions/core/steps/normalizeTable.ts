import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  columnNames,
  DuplicateColumnError,
  FILE_ERRORS,
  message,
  missingColumnsError,
  rawFileType,
  SILVER_LINEAGE_COLUMNS,
  unsupportedFileError,
  type SourceTable,
} from '../contract.js';
import { NormalizationError } from '../errors.js';
import type { RawFile } from '../lake/lake.js';
import { batchPrefix, MANIFEST_FILE } from '../lake/layout.js';
import type { LocalLake } from '../lake/localLake.js';
import type { FileReport, NormalizeManifest } from '../lake/manifest.js';
import { readSqlFile, sqlRoot } from '../sql/files.js';
import { quotedIdentifier as q, quotedLiteral as lit } from '../sql/quote.js';
import { renderSql } from '../sql/render.js';
import { readRawFile, UnreadableFileError } from './rawReaders.js';

/** Input of the NormalizeTable state (the Glue job's arguments in the cloud). */
export interface NormalizeTableInput {
  readonly table: SourceTable;
  readonly batchId: string;
}

/**
 * raw → silver + quarantine for one table and batch, on an in-memory DuckDB
 * (the local stand-in for the Glue job, running the same sql/normalize SQL).
 * Re-running replaces that batch's silver and quarantine output.
 */
export async function normalizeTable(lake: LocalLake, input: NormalizeTableInput): Promise<NormalizeManifest> {
  const { table, batchId } = input;
  const connection = await (await normalizerInstance()).connect();
  try {
    // Nothing parses text with the session zone (see valueRules.ts); instants are rendered in UTC.
    await connection.run(`set TimeZone = 'UTC'`);
    const files = await lake.listRawFiles(table, batchId);
    const reports: FileReport[] = [];
    const perFile: { name: string; report: FileReport }[] = [];
    for (const [index, file] of files.entries()) {
      const name = `raw_file_${index}`;
      const report = await readFile(connection, lake, table, file, name);
      reports.push(report);
      perFile.push({ name, report });
    }
    await createRawRelation(connection, table, perFile);
    await connection.run(`create temp table normalized as ${renderSql(readSqlFile(`normalize/${table}.sql`), 'duckdb', `sql/normalize/${table}.sql`)}`);
    const manifest = await writeOutputs(connection, lake, table, batchId, reports);
    return manifest;
  } catch (error) {
    if (error instanceof NormalizationError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new NormalizationError(`normalizing ${table} batch ${batchId} failed: ${message}`, { cause: error });
  } finally {
    // Its temp tables go with it.
    connection.closeSync();
  }
}

// One in-memory DuckDB for every normalization of the process, a connection
// (and its own temp tables) per table and batch: starting an instance cost
// ~0.1 s of CPU, which at 6 tables x 7 batches was a quarter of the demo's
// normalizing. One thread per connection: the Map state runs six at once.
let instance: Promise<DuckDBInstance> | undefined;
function normalizerInstance(): Promise<DuckDBInstance> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '1' })
    .then(async (created) => {
      await registerSynonyms(created);
      return created;
    })
    .catch((error: unknown) => {
      instance = undefined;
      throw error;
    });
  return instance;
}

// The seed every normalization joins, read once into the shared instance (every connection sees it).
async function registerSynonyms(created: DuckDBInstance): Promise<void> {
  const seed = path.join(sqlRoot(), 'seeds', 'vocabulary_synonyms.csv');
  const connection = await created.connect();
  try {
    await connection.run(`create table vocabulary_synonyms as select * from read_csv(${lit(seed)}, header = true, all_varchar = true)`);
  } finally {
    connection.closeSync();
  }
}

// Reads one raw file into the temp table `name` (rawReaders.ts); a file that
// cannot be read, or lacks a required column, becomes a file-level rejection
// and is quarantined whole.
async function readFile(connection: DuckDBConnection, lake: LocalLake, table: SourceTable, file: RawFile, name: string): Promise<FileReport> {
  const type = rawFileType(file.name);
  const unreadable = (format: FileReport['format'], fileError: string): FileReport => ({
    file: file.path,
    format,
    rawRows: 1,
    silverRows: 0,
    quarantinedRows: 0,
    extraColumns: [],
    missingOptionalColumns: [],
    readable: false,
    fileError,
  });
  if (type === null) return unreadable('unknown', unsupportedFileError(file.name));
  try {
    const { rawRows, plan } = await readRawFile(connection, table, type, lake.resolve(file.path), file.path, name);
    return {
      file: file.path,
      format: type.format,
      rawRows,
      silverRows: 0,
      quarantinedRows: 0,
      extraColumns: plan.extra,
      missingOptionalColumns: plan.missingOptional,
      readable: true,
      fileError: missingColumnsError(plan.missingRequired),
    };
  } catch (error) {
    if (!(error instanceof UnreadableFileError || error instanceof DuplicateColumnError)) throw error;
    await connection.run(`drop table if exists ${name}`);
    await connection.run(`drop table if exists ${name}_source`);
    return unreadable(type.format, message(FILE_ERRORS.malformed, { format: type.format, reason: error.message }));
  }
}

async function createRawRelation(
  connection: DuckDBConnection,
  table: SourceTable,
  perFile: { name: string; report: FileReport }[],
): Promise<void> {
  const columns = [...columnNames(table), 'source_file', 'source_row', 'read_error'].map(q).join(', ');
  const parts = perFile
    .filter(({ report }) => report.fileError === null)
    .map(({ name }) => `select ${columns} from ${name}`);
  const empty = `select ${columnNames(table).map((c) => `cast(null as varchar) as ${q(c)}`).join(', ')}, cast(null as varchar) as source_file, cast(null as bigint) as source_row, cast(null as varchar) as read_error where false`;
  await connection.run(`create temp view raw_${table} as ${[...parts, empty].join(' union all ')}`);
}

async function writeOutputs(
  connection: DuckDBConnection,
  lake: LocalLake,
  table: SourceTable,
  batchId: string,
  reports: FileReport[],
): Promise<NormalizeManifest> {
  const silverDir = lake.resolve(batchPrefix('silver', table, batchId));
  const quarantineDir = lake.resolve(batchPrefix('quarantine', table, batchId));
  const stagingDir = `${silverDir}.tmp-${process.pid}`;
  const stagingQuarantine = `${quarantineDir}.tmp-${process.pid}`;
  mkdirSync(stagingDir, { recursive: true });
  mkdirSync(stagingQuarantine, { recursive: true });

  // Column order is the staging tables' order: Redshift COPY maps parquet by position.
  // No ORDER BY: on this one-thread instance, which preserves insertion order,
  // `normalized` is already in (source_file, source_row) order, and sorting it
  // again cost a tenth of the normalizer's time.
  const silverColumns = [...columnNames(table), ...SILVER_LINEAGE_COLUMNS].map(q).join(', ');
  await connection.run(
    `copy (select ${silverColumns} from normalized where reject_reason is null) to ${lit(path.join(stagingDir, 'part-0.parquet'))} (format parquet)`,
  );
  await connection.run(`create temp table quarantined as ${quarantineQuery(table, reports)}`);
  await connection.run(
    `copy (select * from quarantined order by source_file, source_row) to ${lit(path.join(stagingQuarantine, 'part-0.parquet'))} (format parquet)`,
  );

  // The totals are the sums of these two breakdowns: no third scan.
  const perFile = await connection.runAndReadAll(
    `select source_file, count(*) filter (where reject_reason is null)::integer as silver, count(*) filter (where reject_reason is not null)::integer as quarantined
     from normalized group by source_file`,
  );
  const reasons = await connection.runAndReadAll(
    `select reject_reason, count(*)::integer as n from quarantined group by reject_reason order by reject_reason`,
  );
  const fileRows = perFile.getRowObjectsJson();
  const fileCounts = new Map(fileRows.map((r) => [String(r.source_file), r]));
  const files = reports.map((report): FileReport => {
    if (report.fileError !== null) return { ...report, silverRows: 0, quarantinedRows: report.rawRows };
    const counted = fileCounts.get(report.file);
    return { ...report, silverRows: Number(counted?.silver ?? 0), quarantinedRows: Number(counted?.quarantined ?? 0) };
  });
  const rejectReasons = Object.fromEntries(reasons.getRowObjectsJson().map((r) => [String(r.reject_reason), Number(r.n)]));
  const manifest: NormalizeManifest = {
    table,
    batchId,
    rawRows: files.reduce((sum, f) => sum + f.rawRows, 0),
    silverRows: fileRows.reduce((sum, r) => sum + Number(r.silver ?? 0), 0),
    quarantinedRows: Object.values(rejectReasons).reduce((sum, n) => sum + n, 0),
    files,
    rejectReasons,
    normalizedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(stagingDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

  // Swap the finished folders in, so a crash never leaves half an output behind.
  rmSync(silverDir, { recursive: true, force: true });
  rmSync(quarantineDir, { recursive: true, force: true });
  renameSync(stagingDir, silverDir);
  renameSync(stagingQuarantine, quarantineDir);
  return manifest;
}

// Quarantine rows keep the raw strings, the reason, and where they came from;
// whole-file rejections add their rows (missing column) or one record naming
// the file (unreadable).
function quarantineQuery(table: SourceTable, reports: FileReport[]): string {
  const columns = columnNames(table);
  const rowRejects = `select ${columns.map((c) => `${q(`raw_${c}`)} as ${q(c)}`).join(', ')}, reject_reason, source_file, source_row from normalized where reject_reason is not null`;
  const fileRejects = reports.flatMap((report, index) => {
    if (report.fileError === null) return [];
    const reason = lit(report.fileError);
    if (report.readable) {
      return [`select ${columns.map(q).join(', ')}, ${reason} as reject_reason, source_file, source_row from raw_file_${index}`];
    }
    const nulls = columns.map((c) => `cast(null as varchar) as ${q(c)}`).join(', ');
    return [`select ${nulls}, ${reason} as reject_reason, ${lit(report.file)} as source_file, cast(null as bigint) as source_row`];
  });
  return [rowRejects, ...fileRejects].join(' union all ');
}
