import { describe, expect, it } from 'vitest';
import { CONTRACT, SOURCE_TABLES, VALUE_RULES, type ColumnSpec, type SourceTable } from '../functions/core/contract.js';
import { readSqlFile } from '../functions/core/sql/files.js';
import { renderSql } from '../functions/core/sql/render.js';

/** Every `create table` of the warehouse DDL as schema.table → column → declared type (lower-case). */
function warehouseColumns(): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  for (const file of ['ddl/02_audit.sql', 'ddl/03_staging.sql', 'ddl/04_history.sql', 'ddl/05_dw.sql']) {
    const sql = renderSql(readSqlFile(file), 'redshift').replace(/--[^\n]*/g, '');
    for (const match of sql.matchAll(/create table if not exists ([a-z_]+\.[a-z_]+) \(([\s\S]*?)\)\s*(?:diststyle|distkey|compound|;)/g)) {
      const columns = new Map<string, string>();
      // Split on commas outside parentheses: decimal(18,4) is one type.
      for (const definition of (match[2] ?? '').split(/,(?![^(]*\))/)) {
        const column = /^\s*"?([a-z_]+)"?\s+([a-z]+(?:\([0-9, ]+\))?)/.exec(definition);
        if (column) columns.set(column[1] ?? '', (column[2] ?? '').replace(/\s/g, ''));
      }
      tables.set(match[1] ?? '', columns);
    }
  }
  return tables;
}

const DDL = warehouseColumns();
const bytesOf = (table: string, column: string): number => {
  const type = DDL.get(table)?.get(column);
  const size = /^varchar\((\d+)\)$/.exec(type ?? '');
  if (!size) throw new Error(`${table}.${column} is not a varchar in the DDL (${type})`);
  return Number(size[1]);
};
const spec = (table: SourceTable, column: string): ColumnSpec => {
  const found = CONTRACT[table].columns.find((c) => c.name === column);
  if (!found) throw new Error(`no contract column ${table}.${column}`);
  return found;
};
const maxBytes = (table: SourceTable, column: string): number => spec(table, column).maxBytes ?? 0;
const digits = (value: string): number => value.replace(/^-/, '').split('.')[0]?.length ?? 0;

describe('The source contract and the warehouse DDL', () => {
  it('has every staging table, column for column, in contract order, then the lineage columns', () => {
    for (const table of SOURCE_TABLES) {
      expect([...(DDL.get(`staging.${table}`)?.keys() ?? [])], table).toEqual([...CONTRACT[table].columns.map((c) => c.name), 'row_hash', 'source_file', 'source_row']);
    }
  });

  it.each(SOURCE_TABLES)('gives each %s column the staging type of its kind, and text its byte length as the varchar size', (table) => {
    const { precision, scale } = VALUE_RULES.decimal;
    for (const column of CONTRACT[table].columns) {
      const declared = DDL.get(`staging.${table}`)?.get(column.name);
      const expected = {
        text: `varchar(${column.maxBytes})`,
        vocabulary: `varchar(${column.maxBytes})`,
        timestamp: 'timestamp',
        decimal: `decimal(${precision},${scale})`,
        integer: 'bigint',
        boolean: 'boolean',
      }[column.kind];
      expect(declared, `${table}.${column.name}`).toBe(expected);
    }
  });

  it('gives the history and dw columns that keep a source value at least its byte length', () => {
    const kept: [string, SourceTable, string[]][] = [
      ['history.customer_changes', 'customers', ['customer_id', 'email', 'first_name', 'last_name', 'city', 'state', 'country', 'segment']],
      ['history.product_changes', 'products', ['product_id', 'sku', 'name', 'category', 'brand']],
      ['history.orders', 'orders', ['order_id', 'customer_id', 'status', 'currency']],
      ['history.order_items', 'order_items', ['order_id', 'product_id']],
      ['history.payments', 'payments', ['payment_id', 'order_id', 'payment_method']],
      ['history.shipments', 'shipments', ['shipment_id', 'order_id', 'status', 'carrier']],
      ['dw.dim_customers', 'customers', ['customer_id', 'email', 'first_name', 'last_name', 'city', 'state', 'country', 'segment']],
      ['dw.dim_products', 'products', ['product_id', 'sku', 'name', 'category', 'brand']],
      ['dw.fact_order_items', 'order_items', ['order_id']],
      ['dw.fact_payments', 'payments', ['payment_id', 'order_id']],
    ];
    for (const [target, table, columns] of kept) {
      for (const column of columns) expect(bytesOf(target, column), `${target}.${column}`).toBeGreaterThanOrEqual(maxBytes(table, column));
    }
    expect(bytesOf('dw.fact_order_items', 'order_status')).toBeGreaterThanOrEqual(maxBytes('orders', 'status'));
    expect(bytesOf('dw.dim_payment_methods', 'payment_method_code')).toBeGreaterThanOrEqual(maxBytes('payments', 'payment_method'));
    expect(bytesOf('dw.dim_payment_methods', 'payment_method_name')).toBeGreaterThanOrEqual(maxBytes('payments', 'payment_method'));
    expect(bytesOf('dw.dim_shipment_status', 'status_code')).toBeGreaterThanOrEqual(maxBytes('shipments', 'status'));
    expect(bytesOf('dw.dim_shipment_status', 'status_name')).toBeGreaterThanOrEqual(maxBytes('shipments', 'status'));
    for (const table of SOURCE_TABLES) {
      for (const key of CONTRACT[table].key.filter((k) => spec(table, k).kind === 'text')) {
        expect(bytesOf('audit.warnings', 'natural_key'), `${table}.${key}`).toBeGreaterThanOrEqual(maxBytes(table, key));
      }
    }
  });

  it('gives a waiting item\'s key, order_id || \'#\' || line_number, room for the longest of both', () => {
    const lineNumber = spec('order_items', 'line_number');
    const longest = maxBytes('order_items', 'order_id') + 1 + Math.max(digits(lineNumber.max ?? '0'), digits(lineNumber.min ?? '0') + 1);
    expect(bytesOf('history.waiting_rows', 'source_key')).toBeGreaterThanOrEqual(longest);
    expect(bytesOf('history.waiting_rows', 'source_key')).toBeGreaterThanOrEqual(maxBytes('payments', 'payment_id'));
    expect(bytesOf('history.waiting_rows', 'source_key')).toBeGreaterThanOrEqual(maxBytes('shipments', 'shipment_id'));
  });
});

describe('The contract\'s limits', () => {
  // decimal(18,4) holds 14 integer digits: every amount BuildFacts derives must stay below 10^14.
  const ceiling = 10n ** BigInt(VALUE_RULES.decimal.precision - VALUE_RULES.decimal.scale);
  const scaled = (value: string): bigint => {
    const [whole = '0', fraction = ''] = value.split('.');
    return BigInt(whole) * 10n ** 4n + BigInt((fraction + '0000').slice(0, 4)) * (whole.startsWith('-') ? -1n : 1n);
  };
  const max = (table: SourceTable, column: string): bigint => scaled(spec(table, column).max ?? '0');

  it('keep gross revenue, net revenue, cost and margin of any item inside decimal(18,4)', () => {
    const quantity = BigInt(spec('order_items', 'quantity').max ?? '0');
    const gross = quantity * max('order_items', 'unit_price');
    const cost = quantity * max('products', 'unit_cost');
    // net = gross - discount with 0 <= discount <= gross; margin = net - cost, between -cost and gross.
    expect(gross).toBeLessThan(ceiling * 10n ** 4n);
    expect(cost).toBeLessThan(ceiling * 10n ** 4n);
    expect(-cost).toBeGreaterThan(-ceiling * 10n ** 4n);
  });

  it('keep every amount inside decimal(18,4), and nothing negative', () => {
    for (const table of SOURCE_TABLES) {
      for (const column of CONTRACT[table].columns.filter((c) => c.kind === 'decimal' || c.kind === 'integer')) {
        expect(scaled(column.max ?? '0'), `${table}.${column.name}`).toBeLessThan(ceiling * 10n ** 4n);
        expect(Number(column.min), `${table}.${column.name}`).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('keep timestamps inside the SCD2 sentinels, so every version tiles [1900-01-01, 9999-12-31)', () => {
    const tiling = renderSql(readSqlFile('tests/dim_customers_scd2_tiling.sql'), 'duckdb');
    expect(tiling).toContain(`'${VALUE_RULES.timestamp.min}'`);
    expect(tiling).toContain(`'${VALUE_RULES.timestamp.maxExclusive}'`);
  });
});
