/**
 * The source contract (SPEC section 2) and the raw-file rules, as TypeScript
 * sees them. They are defined once, in contract.json, which the Glue job reads
 * too (infra/etl.ts uploads it next to the job's SQL); this module validates it
 * and adds the helpers the pipeline uses.
 */
import { z } from 'zod';
import definition from './contract.json' with { type: 'json' };

/** How a raw string value is parsed into silver. */
export const COLUMN_KINDS = ['text', 'vocabulary', 'timestamp', 'decimal', 'integer', 'boolean'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export const SOURCE_TABLES = ['customers', 'products', 'orders', 'order_items', 'payments', 'shipments'] as const;
export type SourceTable = (typeof SOURCE_TABLES)[number];

/** Raw file formats accepted in the lake. */
export const RAW_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type RawFormat = (typeof RAW_FORMATS)[number];

const decimalText = z.string().regex(/^-?[0-9]+(\.[0-9]+)?$/);

const columnSchema = z
  .object({
    name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    kind: z.enum(COLUMN_KINDS),
    required: z.boolean(),
    /** Text and vocabulary columns: the warehouse column's size in bytes (UTF-8). */
    maxBytes: z.number().int().positive().optional(),
    /** Numeric columns: the smallest and largest accepted value. */
    min: decimalText.optional(),
    max: decimalText.optional(),
  })
  .strict()
  .refine((c) => (c.kind === 'text' || c.kind === 'vocabulary') === (c.maxBytes !== undefined), 'text columns, and only they, have maxBytes')
  .refine((c) => (c.kind === 'decimal' || c.kind === 'integer') === (c.min !== undefined && c.max !== undefined), 'numeric columns, and only they, have min and max');

const contractSchema = z.object({
  $comment: z.string(),
  rawFiles: z
    .object({
      formats: z.record(z.string().regex(/^\.[a-z0-9]+$/), z.enum(RAW_FORMATS)),
      compressedSuffix: z.literal('.gz'),
      compressibleFormats: z.array(z.enum(RAW_FORMATS)),
      ignoredNamePrefixes: z.array(z.string().min(1)),
      csv: z
        .object({
          delimiter: z.string().length(1),
          quote: z.string().length(1),
          escape: z.string().length(1),
          header: z.literal(true),
          encoding: z.literal('utf-8'),
          /** A header record must end within this many bytes of the file's start. */
          maxHeaderBytes: z.number().int().positive(),
        })
        .strict(),
      batchIdPattern: z.string(),
      manifestFile: z.string(),
      manifestKeys: z.array(z.string()),
      fileReportKeys: z.array(z.string()),
      silverLineageColumns: z.tuple([z.literal('row_hash'), z.literal('source_file'), z.literal('source_row')]),
      jsonFloatMaxMagnitude: decimalText,
      fileErrors: z
        .object({
          unsupportedFile: z.string(),
          malformed: z.string(),
          missingColumns: z.string(),
          duplicateColumn: z.string(),
          csvQuoting: z.string(),
          csvHeaderTooLong: z.string(),
          notUtf8: z.string(),
          notGzip: z.string(),
          noJsonObject: z.string(),
          notParquet: z.string(),
          unsupportedParquetColumn: z.string(),
        })
        .strict(),
      recordErrors: z
        .object({ fewerFields: z.string(), moreFields: z.string(), notJsonObject: z.string(), duplicateKey: z.string(), nestedValue: z.string(), jsonFloat: z.string() })
        .strict(),
    })
    .strict(),
  values: z
    .object({
      timestamp: z.object({ min: z.string(), maxExclusive: z.string() }).strict(),
      decimal: z.object({ precision: z.literal(18), scale: z.literal(4) }).strict(),
      integer: z.object({ maxDigits: z.literal(18) }).strict(),
    })
    .strict(),
  tables: z.record(z.enum(SOURCE_TABLES), z.object({ key: z.array(z.string()).min(1), columns: z.array(columnSchema).min(1) }).strict()),
});

const parsed = contractSchema.parse(definition);

export type ColumnSpec = z.infer<typeof columnSchema>;

export interface TableSpec {
  readonly name: SourceTable;
  readonly key: readonly string[];
  readonly columns: readonly ColumnSpec[];
}

/** The six tables, their keys and columns, in contract order. */
export const CONTRACT: Readonly<Record<SourceTable, TableSpec>> = Object.fromEntries(
  SOURCE_TABLES.map((name): [SourceTable, TableSpec] => [name, { name, key: parsed.tables[name].key, columns: parsed.tables[name].columns }]),
) as unknown as Record<SourceTable, TableSpec>;

/** How raw files are named, read and reported. */
export const RAW_FILE_RULES = parsed.rawFiles;

/** The value ranges every silver value keeps to (the SCD2 sentinels bound timestamps). */
export const VALUE_RULES = parsed.values;

/** Columns every silver row carries besides the contract's own. */
export const SILVER_LINEAGE_COLUMNS = RAW_FILE_RULES.silverLineageColumns;

/** The message templates of file- and record-level rejections, filled in by `message`. */
export const FILE_ERRORS = RAW_FILE_RULES.fileErrors;
export const RECORD_ERRORS = RAW_FILE_RULES.recordErrors;

/** A message template of contract.json with its `{name}` fields filled in (Python's str.format does the same in the Glue job). */
export function message(template: string, fields: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{([a-z]+)\}/g, (match, name: string) => (name in fields ? String(fields[name]) : match));
}

/** True when `name` is one of the six source tables. */
export function isSourceTable(name: string): name is SourceTable {
  return (SOURCE_TABLES as readonly string[]).includes(name);
}

/** The column names of a table, in contract order. */
export function columnNames(table: SourceTable): string[] {
  return CONTRACT[table].columns.map((c) => c.name);
}

/** The required column names of a table. */
export function requiredColumns(table: SourceTable): string[] {
  return CONTRACT[table].columns.filter((c) => c.required).map((c) => c.name);
}

/** A raw file's format and whether it is gzip-compressed, from its name. */
export interface RawFileType {
  readonly format: RawFormat;
  readonly compressed: boolean;
}

/**
 * The format of a raw file by its extension, matched case-insensitively
 * (`.CSV` is CSV); a compressed file ends in lower-case `.gz` after it, as
 * Spark's Hadoop codecs require. Null for any other name.
 */
export function rawFileType(name: string): RawFileType | null {
  const compressed = name.endsWith(RAW_FILE_RULES.compressedSuffix);
  const base = compressed ? name.slice(0, -RAW_FILE_RULES.compressedSuffix.length) : name;
  const dot = base.lastIndexOf('.');
  const format = dot > 0 ? RAW_FILE_RULES.formats[base.slice(dot).toLowerCase()] : undefined;
  if (format === undefined) return null;
  if (compressed && !RAW_FILE_RULES.compressibleFormats.includes(format)) return null;
  return { format, compressed };
}

/** The quarantine reason of a file whose name is not a raw format. */
export function unsupportedFileError(name: string): string {
  const plain = Object.keys(RAW_FILE_RULES.formats).join(', ');
  const compressed = RAW_FILE_RULES.compressibleFormats
    .flatMap((format) => Object.entries(RAW_FILE_RULES.formats).filter(([, f]) => f === format).map(([ext]) => `${ext}${RAW_FILE_RULES.compressedSuffix}`))
    .join(', ');
  return message(FILE_ERRORS.unsupportedFile, { extension: extensionOf(name), expected: `${plain}, or ${compressed}` });
}

/** The extension(s) of a file name as the reason shows it: `.csv`, `.csv.gz`, `.txt`, or '' for none. */
function extensionOf(name: string): string {
  const match = /(\.[^./]+)?(\.[^./]+)$/.exec(name);
  if (match === null) return '';
  return match[1] !== undefined && match[2]?.toLowerCase() === '.gz' ? `${match[1]}${match[2]}` : (match[2] ?? '');
}

/** How a file's columns meet the contract. */
export interface ColumnPlan {
  /** The file's column for each contract column it has. */
  readonly source: ReadonlyMap<string, string>;
  /** The file's columns the contract does not know (lower-cased), in file order. */
  readonly extra: string[];
  readonly missingRequired: string[];
  readonly missingOptional: string[];
}

/** Thrown when two of a file's columns have the same name once trimmed and lower-cased. */
export class DuplicateColumnError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DuplicateColumnError';
  }
}

/**
 * Matches a file's column names to the contract: names are trimmed of ASCII
 * whitespace and ASCII-lower-cased (the contract is case-insensitive); two
 * that collide make the file malformed (DuplicateColumnError).
 */
export function planColumns(table: SourceTable, sourceColumns: readonly string[]): ColumnPlan {
  const byLower = new Map<string, string>();
  for (const column of sourceColumns) {
    const lower = asciiLower(column.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, ''));
    if (byLower.has(lower)) throw new DuplicateColumnError(message(FILE_ERRORS.duplicateColumn, { column: lower }));
    byLower.set(lower, column);
  }
  const contract = columnNames(table);
  const missingRequired = requiredColumns(table).filter((c) => !byLower.has(c));
  return {
    source: new Map(contract.filter((c) => byLower.has(c)).map((c) => [c, byLower.get(c) ?? c])),
    extra: [...byLower.keys()].filter((c) => !contract.includes(c)),
    missingRequired,
    missingOptional: contract.filter((c) => !byLower.has(c) && !missingRequired.includes(c)),
  };
}

// ASCII only, as the Glue job does it: JavaScript and Python lower-case some Unicode letters differently.
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The quarantine reason of a file without some required columns, or null. */
export function missingColumnsError(missingRequired: readonly string[]): string | null {
  return missingRequired.length > 0 ? message(FILE_ERRORS.missingColumns, { columns: missingRequired.join(', ') }) : null;
}
