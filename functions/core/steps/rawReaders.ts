/**
 * DuckDB readers of raw files, one per format, for the local normalizer. Each
 * turns a file into a temp table of the contract's columns as text plus
 * source_file, source_row and read_error (why a record could not be taken
 * apart, or NULL), the relation sql/normalize/<table>.sql reads. The Glue job
 * (functions/glue/normalize_job.py) reads the same files into the same texts;
 * tests/glueJob.test.ts compares the two on a corpus of edge cases.
 *
 * The texts are canonical, so that both engines quarantine the same strings:
 * CSV fields as written (empty = NULL), JSON values as their text (a number
 * with a fraction or an exponent as the shortest text of its double), Parquet
 * values as DuckDB casts them to VARCHAR.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  CONTRACT,
  FILE_ERRORS,
  message,
  planColumns,
  RAW_FILE_RULES,
  RECORD_ERRORS,
  type ColumnPlan,
  type RawFileType,
  type SourceTable,
} from '../contract.js';
import { HeaderTooLongError, readCsvHeader } from '../lake/csvHeader.js';
import { csvQuotingIsValid } from '../lake/csvQuoting.js';
import { quotedIdentifier as q, quotedLiteral as lit } from '../sql/quote.js';

/** What reading one file found; the relation `name` holds its records when it was readable. */
export interface ReadResult {
  readonly rawRows: number;
  readonly plan: ColumnPlan;
}

/** A file that cannot be read at all; its message becomes the file's quarantine reason. */
export class UnreadableFileError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnreadableFileError';
  }
}

/** How the engines spell a missing CSV field apart from an empty one while reading: no file holds this text. */
const CSV_NULL = '\u0001ecomdw:no-field\u0001';
const UNIT_SEPARATOR = '\u0001';
const ASCII_WHITESPACE = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)";
const MAX_LINE_BYTES = 256 * 1024 * 1024;
const ROW = '__ecomdw_row';

/** Reads one raw file into the temp table `name` (see the module comment). */
export async function readRawFile(
  connection: DuckDBConnection,
  table: SourceTable,
  type: RawFileType,
  absolute: string,
  lakePath: string,
  name: string,
): Promise<ReadResult> {
  switch (type.format) {
    case 'csv':
      return readCsv(connection, table, type, absolute, lakePath, name);
    case 'jsonl':
      return readJsonLines(connection, table, type, absolute, lakePath, name);
    case 'parquet':
      return readParquet(connection, table, absolute, lakePath, name);
  }
}

// ---------------------------------------------------------------- CSV

async function readCsv(
  connection: DuckDBConnection,
  table: SourceTable,
  type: RawFileType,
  absolute: string,
  lakePath: string,
  name: string,
): Promise<ReadResult> {
  const header = await readHeader(absolute, type.compressed);
  const plan = planColumns(table, header.names);
  const width = header.names.length;
  if (width === 0) return { rawRows: await createEmpty(connection, table, name), plan };
  await assertQuotesClosed(absolute, type.compressed);
  const columnIndex = new Map(header.names.map((n, i) => [n, i]));
  // A CRLF file's line breaks inside quoted values become LF, as Spark's CSV reader (univocity) reads them.
  const field = (i: number): string => {
    const value = `nullif(c${i}, '')`;
    return header.crlf ? `replace(${value}, chr(13) || chr(10), chr(10))` : value;
  };
  const columns = CONTRACT[table].columns.map((c) => {
    const index = plan.source.has(c.name) ? columnIndex.get(plan.source.get(c.name) ?? '') : undefined;
    return `${index === undefined ? 'cast(null as varchar)' : field(index)} as ${q(c.name)}`;
  });
  // Read with one field more than the header, so that a row with too many fields shows in the last one.
  let readWidth = width + 1;
  for (let attempt = 0; ; attempt++) {
    try {
      await connection.run(`create or replace temp table ${name}_source as
        select *, row_number() over () as ${ROW} from ${csvReader(absolute, type.compressed, readWidth)}`);
      break;
    } catch (error) {
      const wider = /Expected Number of Columns: \d+ Found: (\d+)/.exec(String(error));
      if (wider === null || attempt >= 8) throw csvError(error, absolute);
      readWidth = Math.max(readWidth + 1, Number(wider[1]) + 1);
    }
  }
  await connection.run(`create temp table ${name} as
    select ${columns.join(', ')}, ${lit(lakePath)} as source_file, ${ROW} - 1 as source_row,
      case
        when c${width - 1} is null then ${lit(message(RECORD_ERRORS.fewerFields, { count: width }))}
        when c${width} is not null then ${lit(message(RECORD_ERRORS.moreFields, { count: width }))}
      end as read_error
    from ${name}_source where ${ROW} > 1`);
  await connection.run(`drop table ${name}_source`);
  return { rawRows: await countRows(connection, name), plan };
}

async function readHeader(absolute: string, compressed: boolean): Promise<{ names: string[]; crlf: boolean }> {
  try {
    return await readCsvHeader(absolute, compressed);
  } catch (error) {
    const text = String(error);
    const reason = error instanceof HeaderTooLongError ? message(FILE_ERRORS.csvHeaderTooLong, { bytes: error.bytes }) : compressed && /incorrect header check|unexpected end of file|invalid/i.test(text) ? FILE_ERRORS.notGzip : firstLine(error);
    throw new UnreadableFileError(reason, { cause: error });
  }
}

function csvReader(absolute: string, compressed: boolean, width: number): string {
  const { delimiter, quote, escape } = RAW_FILE_RULES.csv;
  const columns = Array.from({ length: width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  // strict_mode refuses characters after a closing quote; null_padding keeps short rows
  // (their missing fields are NULL, an empty field is '' thanks to nullstr).
  return `read_csv(${lit(absolute)}, header = false, auto_detect = false, columns = {${columns}},
      delim = ${lit(delimiter)}, quote = ${lit(quote)}, escape = ${lit(escape)}, nullstr = ${lit(CSV_NULL)},
      null_padding = true, strict_mode = true, parallel = false, max_line_size = ${MAX_LINE_BYTES},
      compression = ${lit(compressed ? 'gzip' : 'none')}, encoding = 'utf-8', hive_partitioning = false)`;
}

// DuckDB's strict reader drops the rest of a file after a quote that never closes.
async function assertQuotesClosed(absolute: string, compressed: boolean): Promise<void> {
  let valid: boolean;
  try {
    valid = await csvQuotingIsValid(absolute, compressed);
  } catch (error) {
    throw new UnreadableFileError(compressed ? FILE_ERRORS.notGzip : firstLine(error), { cause: error });
  }
  if (!valid) throw new UnreadableFileError(FILE_ERRORS.csvQuoting);
}

function csvError(error: unknown, absolute: string): UnreadableFileError {
  const text = String(error instanceof Error ? error.message : error);
  if (/unterminated quote|quote/i.test(text) && !/Expected Number of Columns/.test(text)) return new UnreadableFileError(FILE_ERRORS.csvQuoting, { cause: error });
  if (/unicode|utf-?8/i.test(text)) return new UnreadableFileError(FILE_ERRORS.notUtf8, { cause: error });
  if (/gzip|decompress|zlib/i.test(text)) return new UnreadableFileError(FILE_ERRORS.notGzip, { cause: error });
  return new UnreadableFileError(firstLine(error).replaceAll(absolute, '<file>'), { cause: error });
}

/** The file's lines as one column `l`, no quoting: what a JSON-lines file holds. */
function linesReader(absolute: string, compressed: boolean): string {
  return `read_csv(${lit(absolute)}, header = false, auto_detect = false, columns = {'l': 'VARCHAR'},
      delim = ${lit(UNIT_SEPARATOR)}, quote = '', escape = '', null_padding = true, strict_mode = false,
      parallel = false, max_line_size = ${MAX_LINE_BYTES}, compression = ${lit(compressed ? 'gzip' : 'none')},
      encoding = 'utf-8', hive_partitioning = false)`;
}

// ---------------------------------------------------------------- JSON lines

async function readJsonLines(
  connection: DuckDBConnection,
  table: SourceTable,
  type: RawFileType,
  absolute: string,
  lakePath: string,
  name: string,
): Promise<ReadResult> {
  try {
    // One record per non-blank line; a byte-order mark before the first is ignored.
    await connection.run(`create temp table ${name}_source as
      select line, row_number() over (order by line_number) as ${ROW},
        case when json_valid(line) then json_type(line) = 'OBJECT' else false end as is_object
      from (
        select ltrim(l, chr(65279)) as line, row_number() over () as line_number from ${linesReader(absolute, type.compressed)}
      ) as lines
      where nullif(trim(line, ${ASCII_WHITESPACE}), '') is not null`);
  } catch (error) {
    const text = String(error);
    throw new UnreadableFileError(/unicode|utf-?8/i.test(text) ? FILE_ERRORS.notUtf8 : /gzip|decompress/i.test(text) ? FILE_ERRORS.notGzip : firstLine(error), { cause: error });
  }
  const [counts] = (await connection.runAndReadAll(`select count(*)::integer as n, count(*) filter (where is_object)::integer as objects from ${name}_source`)).getRowObjectsJson();
  if (Number(counts?.n ?? 0) > 0 && Number(counts?.objects ?? 0) === 0) {
    await connection.run(`drop table ${name}_source`);
    throw new UnreadableFileError(FILE_ERRORS.noJsonObject);
  }
  // JSON lines may differ in keys from line to line: their union is the file's columns.
  const keys = (await connection.runAndReadAll(`select distinct unnest(json_keys(line)) as k from ${name}_source where is_object order by 1`))
    .getRowObjectsJson()
    .map((r) => String(r.k));
  const plan = planColumns(table, keys);
  const { jsonFloatMaxMagnitude } = RAW_FILE_RULES;
  // One parse per line for every contract column: json_extract with a list of JSON pointers.
  const mapped = CONTRACT[table].columns.map((column) => ({ column: column.name, key: plan.source.get(column.name) }));
  const pointers = mapped.flatMap(({ key }) => (key === undefined ? [] : [`/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`]));
  const columns: string[] = [];
  const problems: string[] = [];
  let index = 0;
  for (const { column, key } of mapped) {
    if (key === undefined) {
      columns.push(`cast(null as varchar) as ${q(column)}`);
      continue;
    }
    const value = `vals[${++index}]`;
    const type = `types[${index}]`;
    const text = `cast(${value} as varchar)`;
    const fraction = `(${type} = 'DOUBLE' and not regexp_full_match(${text}, '-?[0-9]+'))`;
    // A number with a fraction or an exponent is a double: its shortest text, as Python's repr() writes it;
    // an integer keeps its digits, however many (DuckDB keeps those beyond 64 bits as text, typed DOUBLE).
    columns.push(`case
        when not is_object then null
        when ${type} = 'VARCHAR' then json_extract_string(${value}, '$')
        when ${type} in ('BOOLEAN', 'BIGINT', 'UBIGINT') then ${text}
        when ${fraction} then cast(cast(${value} as double) as varchar)
        when ${type} = 'DOUBLE' then ${text}
      end as ${q(column)}`);
    problems.push(`when ${type} in ('OBJECT', 'ARRAY') then ${lit(message(RECORD_ERRORS.nestedValue, { column }))}`);
    problems.push(`when ${fraction} and isfinite(cast(${value} as double)) and abs(cast(${value} as double)) >= ${jsonFloatMaxMagnitude}
        then ${lit(message(RECORD_ERRORS.jsonFloat, { column, max: jsonFloatMaxMagnitude }))}`);
  }
  const extracted = pointers.length > 0 ? `json_extract(line, [${pointers.map(lit).join(', ')}])` : 'cast([] as json[])';
  await connection.run(`create temp table ${name} as
    select ${columns.join(',\n      ')},
      ${lit(lakePath)} as source_file, ${ROW} as source_row,
      case
        when not is_object then ${lit(RECORD_ERRORS.notJsonObject)}
        when len(keys) <> len(list_distinct(keys)) then ${lit(RECORD_ERRORS.duplicateKey)}
        ${problems.join('\n        ')}
      end as read_error
    from (
      select *, list_transform(vals, v -> json_type(v)) as types
      from (select *, case when is_object then ${extracted} end as vals, case when is_object then json_keys(line) end as keys from ${name}_source) as extracted
    ) as parsed`);
  await connection.run(`drop table ${name}_source`);
  return { rawRows: await countRows(connection, name), plan };
}

// ---------------------------------------------------------------- Parquet

async function readParquet(connection: DuckDBConnection, table: SourceTable, absolute: string, lakePath: string, name: string): Promise<ReadResult> {
  try {
    await connection.run(`create temp table ${name}_source as
      select * exclude (file_row_number), file_row_number + 1 as ${ROW}
      from read_parquet(${lit(absolute)}, file_row_number = true, binary_as_string = true, hive_partitioning = false)`);
  } catch (error) {
    throw new UnreadableFileError(FILE_ERRORS.notParquet, { cause: error });
  }
  const described = (await connection.runAndReadAll(`select column_name, column_type from (describe ${name}_source) where column_name <> '${ROW}'`)).getRowObjectsJson();
  const types = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const plan = planColumns(table, [...types.keys()]);
  const unsupported: string[] = [];
  const columns = CONTRACT[table].columns.map((c) => {
    const source = plan.source.get(c.name);
    if (source === undefined) return `cast(null as varchar) as ${q(c.name)}`;
    const text = parquetText(q(source), types.get(source) ?? '');
    if (text === null) unsupported.push(source);
    return `${text ?? 'cast(null as varchar)'} as ${q(c.name)}`;
  });
  if (unsupported.length > 0) {
    await connection.run(`drop table ${name}_source`);
    throw new UnreadableFileError(message(FILE_ERRORS.unsupportedParquetColumn, { column: unsupported[0] ?? '' }));
  }
  await connection.run(`create temp table ${name} as
    select ${columns.join(', ')}, ${lit(lakePath)} as source_file, ${ROW} as source_row, cast(null as varchar) as read_error
    from ${name}_source`);
  await connection.run(`drop table ${name}_source`);
  return { rawRows: await countRows(connection, name), plan };
}

/** A Parquet value as the text a CSV would carry, or null for a type no contract column can hold. */
function parquetText(column: string, type: string): string | null {
  if (/^(STRUCT|MAP|UNION)\(|\[\]$|^(BLOB|BIT|TIME|TIME WITH TIME ZONE|INTERVAL|UUID)$/.test(type)) return null;
  // Instants in UTC without an offset (naive = UTC), at most microseconds, trailing zeros dropped as DuckDB casts them.
  if (type === 'TIMESTAMP WITH TIME ZONE') return `cast(timezone('UTC', ${column}) as varchar)`;
  if (/^TIMESTAMP/.test(type)) return `cast(cast(${column} as timestamp) as varchar)`;
  return `cast(${column} as varchar)`;
}

// ---------------------------------------------------------------- helpers

async function createEmpty(connection: DuckDBConnection, table: SourceTable, name: string): Promise<number> {
  const nulls = CONTRACT[table].columns.map((c) => `cast(null as varchar) as ${q(c.name)}`).join(', ');
  await connection.run(`create temp table ${name} as select ${nulls}, cast(null as varchar) as source_file, cast(null as bigint) as source_row, cast(null as varchar) as read_error where false`);
  return 0;
}

async function countRows(connection: DuckDBConnection, name: string): Promise<number> {
  const reader = await connection.runAndReadAll(`select count(*)::integer as n from ${name}`);
  return Number(reader.getRowObjectsJson()[0]?.n ?? 0);
}

function firstLine(error: unknown): string {
  return ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error').replace(/^[A-Za-z ]+Error: /, '').trim();
}
