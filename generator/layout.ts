import { columnNames, SOURCE_TABLES, type RawFormat, type SourceTable } from '../functions/core/contract.js';
import type { GenerateFormat } from './options.js';

/**
 * Which files the generator writes per table and batch. Every generated table
 * has a `file_part` column; each part present in a batch becomes one file with
 * its own column list, so schema drift lives in separate files of the batch.
 */

export const FILE_PARTS = ['main', 'drift', 'missing_column'] as const;
export type FilePart = (typeof FILE_PARTS)[number];

export interface OutputColumn {
  /** Column of the generated table. */
  readonly source: string;
  /** Name written to the file (column names are case-insensitive in the contract). */
  readonly header: string;
}

export interface PartLayout {
  readonly file: string;
  readonly columns: readonly OutputColumn[];
  /** What is odd about this file, for the summary; absent for the main file. */
  readonly drift?: string;
}

const MAIN_FILE = 'part-000';
const SECOND_FILE = 'part-001';
/** The one unreadable file is named like any other part. */
export const MALFORMED_FILE = 'part-002';

const same = (name: string): OutputColumn => ({ source: name, header: name });
const contractColumns = (table: SourceTable): OutputColumn[] => columnNames(table).map(same);
const without = (table: SourceTable, column: string): OutputColumn[] =>
  contractColumns(table).filter((c) => c.source !== column);

/** The file parts each table's script may produce, and their columns. */
export const TABLE_LAYOUTS: Readonly<Record<SourceTable, Partial<Record<FilePart, PartLayout>>>> = {
  customers: {
    main: { file: MAIN_FILE, columns: contractColumns('customers') },
    drift: {
      file: SECOND_FILE,
      columns: [...contractColumns('customers'), same('loyalty_tier')],
      drift: 'extra column loyalty_tier',
    },
  },
  products: {
    main: { file: MAIN_FILE, columns: contractColumns('products') },
  },
  orders: {
    main: { file: MAIN_FILE, columns: contractColumns('orders') },
    drift: {
      file: SECOND_FILE,
      columns: without('orders', 'currency').map((c) => ({ source: c.source, header: c.header.toUpperCase() })),
      drift: 'optional column currency omitted, column names in upper case',
    },
  },
  order_items: {
    main: { file: MAIN_FILE, columns: contractColumns('order_items') },
    missing_column: {
      file: SECOND_FILE,
      columns: without('order_items', 'unit_price'),
      drift: 'required column unit_price missing (the whole file is quarantined)',
    },
  },
  payments: {
    main: { file: MAIN_FILE, columns: contractColumns('payments') },
    drift: {
      file: SECOND_FILE,
      columns: without('payments', 'updated_at'),
      drift: 'optional column updated_at omitted',
    },
  },
  shipments: {
    main: { file: MAIN_FILE, columns: contractColumns('shipments') },
    drift: {
      file: SECOND_FILE,
      columns: [...contractColumns('shipments'), same('tracking_number')],
      drift: 'extra column tracking_number',
    },
  },
};

/** File extension of each raw format. */
export const FORMAT_EXTENSIONS: Readonly<Record<RawFormat, string>> = { csv: 'csv', jsonl: 'jsonl', parquet: 'parquet' };

const ROTATION: readonly RawFormat[] = ['csv', 'jsonl', 'parquet'];

/** The format of one table's files in one batch; `mixed` rotates through the three. */
export function formatFor(format: GenerateFormat, table: SourceTable, batchIndex: number): RawFormat {
  if (format !== 'mixed') return format;
  return ROTATION[(SOURCE_TABLES.indexOf(table) + batchIndex) % ROTATION.length] ?? 'csv';
}

/** The table that gets the one malformed file. */
export const MALFORMED_TABLE: SourceTable = 'payments';

/** The batch that gets the one malformed file: the third, or the last when there are fewer. */
export function malformedBatchIndex(days: number): number {
  return Math.min(2, days - 1);
}
