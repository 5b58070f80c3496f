/**
 * The source contract (SPEC section 2): the six bronze tables, their keys and
 * columns. This is the one place the pipeline learns which columns exist; the
 * normalization SQL in sql/normalize/ is written against it and a test keeps
 * the two in step.
 */

/** How a raw string value is parsed into silver. */
export const COLUMN_KINDS = ['text', 'vocabulary', 'timestamp', 'decimal', 'integer', 'boolean'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly required: boolean;
}

export interface TableSpec {
  readonly name: SourceTable;
  readonly key: readonly string[];
  readonly columns: readonly ColumnSpec[];
}

export const SOURCE_TABLES = ['customers', 'products', 'orders', 'order_items', 'payments', 'shipments'] as const;
export type SourceTable = (typeof SOURCE_TABLES)[number];

const req = (name: string, kind: ColumnKind = 'text'): ColumnSpec => ({ name, kind, required: true });
const opt = (name: string, kind: ColumnKind = 'text'): ColumnSpec => ({ name, kind, required: false });

export const CONTRACT: Readonly<Record<SourceTable, TableSpec>> = {
  customers: {
    name: 'customers',
    key: ['customer_id'],
    columns: [
      req('customer_id'),
      req('updated_at', 'timestamp'),
      opt('email'),
      opt('first_name'),
      opt('last_name'),
      opt('city'),
      opt('state'),
      opt('country'),
      opt('segment', 'vocabulary'),
      opt('is_deleted', 'boolean'),
    ],
  },
  products: {
    name: 'products',
    key: ['product_id'],
    columns: [
      req('product_id'),
      req('updated_at', 'timestamp'),
      opt('sku'),
      opt('name'),
      opt('category', 'vocabulary'),
      opt('brand'),
      opt('list_price', 'decimal'),
      opt('unit_cost', 'decimal'),
      opt('is_deleted', 'boolean'),
    ],
  },
  orders: {
    name: 'orders',
    key: ['order_id'],
    columns: [
      req('order_id'),
      req('customer_id'),
      req('order_ts', 'timestamp'),
      req('updated_at', 'timestamp'),
      opt('status', 'vocabulary'),
      opt('currency'),
    ],
  },
  order_items: {
    name: 'order_items',
    key: ['order_id', 'line_number'],
    columns: [
      req('order_id'),
      req('line_number', 'integer'),
      req('product_id'),
      req('quantity', 'integer'),
      req('unit_price', 'decimal'),
      req('updated_at', 'timestamp'),
      opt('discount_amount', 'decimal'),
      opt('shipping_amount', 'decimal'),
      opt('is_deleted', 'boolean'),
    ],
  },
  payments: {
    name: 'payments',
    key: ['payment_id'],
    columns: [
      req('payment_id'),
      req('order_id'),
      req('payment_method', 'vocabulary'),
      req('amount', 'decimal'),
      req('paid_at', 'timestamp'),
      opt('updated_at', 'timestamp'),
    ],
  },
  shipments: {
    name: 'shipments',
    key: ['shipment_id'],
    columns: [
      req('shipment_id'),
      req('order_id'),
      req('status', 'vocabulary'),
      req('updated_at', 'timestamp'),
      opt('carrier', 'vocabulary'),
      opt('shipped_at', 'timestamp'),
      opt('delivered_at', 'timestamp'),
    ],
  },
};

/** Columns every silver row carries besides the contract's own. */
export const SILVER_LINEAGE_COLUMNS = ['row_hash', 'source_file', 'source_row'] as const;

/** Raw file formats accepted in the lake. */
export const RAW_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type RawFormat = (typeof RAW_FORMATS)[number];

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
