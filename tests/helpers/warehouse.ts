import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { DuckDbEngine } from '../../functions/core/engine/duckdbEngine.js';
import { bootstrapWarehouse } from '../../functions/core/steps/bootstrap.js';
import { queryDuckDb, tempDir } from './tempLake.js';

/** A new DuckDB warehouse in a temporary folder, bootstrapped (every schema and table); close() removes it. */
export async function bootstrappedWarehouse(prefix: string): Promise<{ engine: DuckDbEngine; close: () => Promise<void> }> {
  const { dir, cleanup } = tempDir(prefix);
  const engine = await DuckDbEngine.open({ path: path.join(dir, 'warehouse.duckdb'), lakeRoot: dir });
  await bootstrapWarehouse(engine);
  return {
    engine,
    close: async () => {
      await engine.close();
      cleanup();
    },
  };
}

/** The dw tables with the columns that define them (batch_id and load-time columns excluded), canonically ordered. */
export const DW_SNAPSHOT_QUERIES: Readonly<Record<string, string>> = {
  dim_customers: 'select * exclude (batch_id) from dw.dim_customers order by customer_id, valid_from',
  dim_products: 'select * exclude (batch_id) from dw.dim_products order by product_id, valid_from',
  dim_payment_methods: 'select * from dw.dim_payment_methods order by payment_method_code',
  dim_shipment_status: 'select * from dw.dim_shipment_status order by status_code',
  fact_order_items: 'select * exclude (batch_id) from dw.fact_order_items order by order_id, line_number',
  fact_payments: 'select * exclude (batch_id) from dw.fact_payments order by payment_id',
  fact_order_fulfillment: 'select * exclude (batch_id) from dw.fact_order_fulfillment order by order_id',
  dim_date_count: 'select count(*) as n, min(date_key) as first_key, max(date_key) as last_key from dw.dim_date',
};

/** Every dw table of a warehouse file, for comparing two warehouses. */
export async function snapshotDw(db: string): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(DW_SNAPSHOT_QUERIES)) snapshot[name] = await queryDuckDb(db, sql);
  return snapshot;
}

/** Columns that say when or by which batch a row was written, not what it holds. */
const LOAD_COLUMNS = new Set(['batch_id', 'loaded_at', 'recorded_at']);

/** Rows one warehouse has and the other lacks, per dw table (EXCEPT ALL both ways, load columns ignored). */
export interface WarehouseDifference {
  readonly table: string;
  readonly onlyInFirst: number;
  readonly onlyInSecond: number;
}

/**
 * Compares every table of schema dw in two warehouse files with EXCEPT ALL in
 * both directions, ignoring batch_id and load-time columns; returns only the
 * tables that differ (an empty list: the warehouses are equal).
 */
export async function diffDw(first: string, second: string): Promise<WarehouseDifference[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`attach ${literal(first)} as first_db (read_only)`);
    await connection.run(`attach ${literal(second)} as second_db (read_only)`);
    const columns = (await connection.runAndReadAll(
      `select table_name, column_name from information_schema.columns
       where table_catalog = 'first_db' and table_schema = 'dw' order by table_name, ordinal_position`,
    )).getRowObjectsJson() as { table_name: string; column_name: string }[];
    const tables = new Map<string, string[]>();
    for (const { table_name, column_name } of columns) {
      if (!LOAD_COLUMNS.has(column_name)) tables.set(table_name, [...(tables.get(table_name) ?? []), `"${column_name}"`]);
    }
    const differences: WarehouseDifference[] = [];
    for (const [table, list] of tables) {
      const select = (db: string) => `select ${list.join(', ')} from ${db}.dw."${table}"`;
      const [row] = (await connection.runAndReadAll(
        `select (select count(*) from (${select('first_db')} except all ${select('second_db')}))::integer as only_in_first,
                (select count(*) from (${select('second_db')} except all ${select('first_db')}))::integer as only_in_second`,
      )).getRowObjectsJson() as { only_in_first: number; only_in_second: number }[];
      if (row && (row.only_in_first > 0 || row.only_in_second > 0)) {
        differences.push({ table, onlyInFirst: row.only_in_first, onlyInSecond: row.only_in_second });
      }
    }
    return differences;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function literal(value: string): string {
  return `'${value.replaceAll(`'`, `''`)}'`;
}
