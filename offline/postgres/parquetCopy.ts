import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { WarehouseStatementError } from '../../functions/core/errors.js';
import { quotedLiteral } from '../../functions/core/sql/quote.js';

/**
 * Redshift's `COPY ... FORMAT AS PARQUET`, emulated for PostgreSQL. Redshift
 * reads every object whose key starts with the FROM prefix and inserts the
 * file's columns into the column list BY POSITION (names are ignored; the
 * counts must match; one bad value fails the load). Here DuckDB (in-process)
 * writes each parquet file as CSV in the same column order, and PostgreSQL's
 * server-side COPY reads that file: no row passes through JavaScript. Before
 * that, the file's columns are checked against the list: same count, same
 * names in the same order (a silent position mix-up on Redshift is an error
 * here), and physical types COPY can load into the target columns.
 */

/** The parts of a Redshift COPY statement as RedshiftEngine.loadParquet writes it. */
export interface ParquetCopy {
  /** `schema.table`, unquoted. */
  readonly table: string;
  readonly columns: readonly string[];
  readonly bucket: string;
  /** The S3 key prefix COPY matches (e.g. `silver/orders/batch_id=2024-01-01/part-`). */
  readonly keyPrefix: string;
  readonly iamRole: string;
}

const COPY = /^\s*copy\s+([\w."]+)\s*\(([^)]*)\)\s+from\s+'s3:\/\/([^/']+)\/([^']*)'\s+iam_role\s+'([^']+)'\s+format\s+as\s+parquet\s*;?\s*$/i;

/** The COPY a statement is, or null when it is not a Parquet COPY. */
export function parseParquetCopy(sql: string): ParquetCopy | null {
  const match = COPY.exec(sql);
  if (!match) return null;
  const unquote = (name: string): string => name.trim().replace(/^"(.*)"$/, '$1').replaceAll('""', '"');
  return {
    table: (match[1] as string).split('.').map(unquote).join('.'),
    columns: (match[2] as string).split(',').map(unquote),
    bucket: match[3] as string,
    keyPrefix: match[4] as string,
    iamRole: match[5] as string,
  };
}

/** Where COPY's objects come from: the files of the keys under a prefix, on local disk. */
export interface ParquetObjectStore {
  /** Local paths of the objects whose key starts with `keyPrefix` (S3 prefix semantics), in key order. */
  filesUnder(bucket: string, keyPrefix: string, scratchDir: string): Promise<string[]>;
}

/** A lake folder standing in for the bucket: key = path relative to the folder. */
export class LocalFolderObjects implements ParquetObjectStore {
  public constructor(
    private readonly bucket: string,
    private readonly root: string,
  ) {}

  public async filesUnder(bucket: string, keyPrefix: string): Promise<string[]> {
    if (bucket !== this.bucket) throw new Error(`COPY reads bucket ${bucket}, but the offline lake stands for bucket ${this.bucket}`);
    const start = path.join(this.root, keyPrefix.slice(0, keyPrefix.lastIndexOf('/') + 1));
    if (!existsSync(start)) return [];
    return walk(start)
      .map((file) => path.relative(this.root, file).split(path.sep).join('/'))
      .filter((key) => key.startsWith(keyPrefix))
      .sort()
      .map((key) => path.join(this.root, key));
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** The two S3 calls a bucket-backed store makes (the SDK v3 aggregated `S3` client has them). */
export interface S3ObjectClient {
  listObjectsV2(input: { Bucket: string; Prefix?: string; ContinuationToken?: string }): Promise<{
    Contents?: { Key?: string }[];
    IsTruncated?: boolean;
    NextContinuationToken?: string;
  }>;
  getObject(input: { Bucket: string; Key: string }): Promise<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>;
}

/** A real S3 API (e.g. the offline moto server): objects are downloaded into the scratch folder first. */
export class S3Objects implements ParquetObjectStore {
  public constructor(private readonly client: S3ObjectClient) {}

  public async filesUnder(bucket: string, keyPrefix: string, scratchDir: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.listObjectsV2({ Bucket: bucket, Prefix: keyPrefix, ...(token ? { ContinuationToken: token } : {}) });
      for (const object of page.Contents ?? []) if (object.Key && !object.Key.endsWith('/')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const files: string[] = [];
    for (const [i, key] of keys.sort().entries()) {
      const body = await (await this.client.getObject({ Bucket: bucket, Key: key })).Body?.transformToByteArray();
      const file = path.join(scratchDir, `s3-${i}-${path.basename(key)}`);
      writeFileSync(file, body ?? new Uint8Array());
      files.push(file);
    }
    return files;
  }
}

/** A column of the COPY target, from the catalog. */
export interface TargetColumn {
  readonly name: string;
  /** information_schema data_type, e.g. `character varying`, `numeric`, `timestamp without time zone`. */
  readonly dataType: string;
  readonly numericScale: number | null;
}

/** One column of a parquet file as parquet_schema() describes it. */
interface ParquetColumn {
  readonly name: string;
  readonly physical: string;
  readonly converted: string | null;
  readonly logical: string | null;
  readonly scale: number | null;
}

/** The COPY cannot run: the message says which file and column, as Redshift's load error would. */
export class ParquetCopyError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ParquetCopyError';
  }
}

/** Parquet types COPY loads into each target type (Redshift: a mismatch fails the load). */
function loadable(target: TargetColumn, column: ParquetColumn): boolean {
  const isString = column.physical === 'BYTE_ARRAY' && (column.converted === 'UTF8' || /String/i.test(column.logical ?? ''));
  const isDecimal = column.converted === 'DECIMAL' || /Decimal/i.test(column.logical ?? '');
  const isTimestamp = column.physical === 'INT96' || /TIMESTAMP/i.test(column.converted ?? '') || /Timestamp/i.test(column.logical ?? '');
  switch (target.dataType) {
    case 'character varying':
    case 'character':
    case 'text':
      return isString;
    case 'bigint':
    case 'integer':
    case 'smallint':
      return (column.physical === 'INT64' || column.physical === 'INT32') && !isDecimal && !isTimestamp;
    case 'numeric':
      return isDecimal && column.scale === target.numericScale;
    case 'timestamp without time zone':
      return isTimestamp;
    case 'date':
      return column.converted === 'DATE' || /Date/i.test(column.logical ?? '');
    case 'boolean':
      return column.physical === 'BOOLEAN';
    case 'double precision':
    case 'real':
      return column.physical === 'DOUBLE' || column.physical === 'FLOAT';
    default:
      return false;
  }
}

/** Converts each parquet file of a COPY into a CSV file PostgreSQL's server-side COPY reads, checking it first. */
export async function parquetToCsv(
  duck: DuckDBConnection,
  copy: ParquetCopy,
  files: readonly string[],
  targets: readonly TargetColumn[],
  scratchDir: string,
): Promise<string[]> {
  if (files.length === 0) {
    throw new ParquetCopyError(`COPY ${copy.table}: the S3 prefix s3://${copy.bucket}/${copy.keyPrefix} matches no object (Redshift fails the COPY)`);
  }
  const byName = new Map(targets.map((t) => [t.name, t]));
  mkdirSync(scratchDir, { recursive: true });
  const out: string[] = [];
  for (const [i, file] of files.entries()) {
    const schema = (await duck.runAndReadAll(`select name, type, converted_type, logical_type, scale from parquet_schema(${quotedLiteral(file)})`))
      .getRowObjectsJson()
      .slice(1) // the root group
      .map((r): ParquetColumn => ({
        name: String(r.name),
        physical: String(r.type),
        converted: r.converted_type === null ? null : String(r.converted_type),
        logical: r.logical_type === null ? null : String(r.logical_type),
        scale: r.scale === null ? null : Number(r.scale),
      }));
    const where = `COPY ${copy.table} from ${path.basename(file)}`;
    if (schema.length !== copy.columns.length) {
      throw new ParquetCopyError(`${where}: the file has ${schema.length} columns, the column list ${copy.columns.length} (Redshift requires equal counts)`);
    }
    schema.forEach((column, position) => {
      const listed = copy.columns[position] as string;
      if (column.name !== listed) {
        throw new ParquetCopyError(
          `${where}: column ${position + 1} of the file is ${column.name}, the column list says ${listed}; Redshift maps by position and would load ${column.name} into ${listed}`,
        );
      }
      const target = byName.get(listed);
      if (!target) throw new ParquetCopyError(`${where}: ${copy.table} has no column ${listed}`);
      if (!loadable(target, column)) {
        const type = [column.physical, column.converted, column.logical].filter(Boolean).join(' ');
        throw new ParquetCopyError(`${where}: column ${listed} is parquet ${type}, which COPY cannot load into ${target.dataType}${target.numericScale === null ? '' : ` (scale ${target.numericScale})`}`);
      }
    });
    const csv = path.join(scratchDir, `copy-${i}.csv`);
    // The batch_id=<id> folder must not become a column (DuckDB reads hive partitions by default).
    await duck.run(`copy (select * from read_parquet(${quotedLiteral(file)}, hive_partitioning = false)) to ${quotedLiteral(csv)} (format csv, header false)`);
    out.push(csv);
  }
  return out;
}

/** What emulating a COPY needs besides the connection. */
export interface CopyEmulation {
  /** The only role COPY may name (the namespace's COPY role). */
  readonly copyRoleArn: string;
  readonly objects: ParquetObjectStore;
  /** A folder the database server can read (it runs as another OS user when we are root). */
  readonly scratch: string;
  /** The in-process DuckDB that converts the files. */
  readonly duck: () => Promise<DuckDBConnection>;
}

/**
 * Runs one Redshift Parquet COPY on a PostgreSQL connection (inside the
 * caller's transaction): checks the role, reads the target's columns from the
 * catalog, fetches the objects under the prefix, checks and converts them
 * (parquetToCsv) and lets the server's own COPY read the files. Returns the
 * number of files loaded.
 */
export async function emulateParquetCopy(client: pg.Client, sql: string, copy: ParquetCopy, emulation: CopyEmulation): Promise<number> {
  if (copy.iamRole !== emulation.copyRoleArn) {
    throw new WarehouseStatementError(`COPY uses the role ${copy.iamRole}, not the namespace's COPY role ${emulation.copyRoleArn}`, sql);
  }
  const [schema, table] = copy.table.includes('.') ? copy.table.split('.') : ['public', copy.table];
  const targets = (
    await client.query({
      text: `select column_name, data_type, numeric_scale from information_schema.columns where table_schema = $1 and table_name = $2`,
      values: [schema, table],
    })
  ).rows.map((r): TargetColumn => ({ name: r.column_name, dataType: r.data_type, numericScale: r.numeric_scale === null ? null : Number(r.numeric_scale) }));
  const dir = mkdtempSync(path.join(emulation.scratch, 'copy-'));
  chmodSync(dir, 0o755);
  try {
    const files = await emulation.objects.filesUnder(copy.bucket, copy.keyPrefix, dir);
    const csvs = await parquetToCsv(await emulation.duck(), copy, files, targets, dir);
    const list = copy.columns.map((c) => `"${c}"`).join(', ');
    for (const csv of csvs) await client.query(`copy ${copy.table} (${list}) from ${quotedLiteral(csv)} with (format csv)`);
    return csvs.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
