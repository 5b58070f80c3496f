import type { WarehouseEngine } from '../shared/engine/types.js';
import { sqlStatements } from '../shared/sql/files.js';
import { backfillReporting, MART_VIEWS } from './buildMarts.js';

/** Every file that creates or seeds the warehouse, in order; all idempotent. */
export const BOOTSTRAP_FILES = [
  'ddl/00_pipeline_lease.sql',
  'ddl/01_schemas.sql',
  'ddl/02_audit.sql',
  'ddl/03_staging.sql',
  'ddl/04_history.sql',
  'ddl/05_dw.sql',
  'ddl/06_reporting.sql',
  'seeds/vocabulary.sql',
  'seeds/dim_date.sql',
] as const;

/**
 * Tables added after warehouses were first built, with the SQL that fills them
 * from what the warehouse already holds; it runs when the table is created.
 */
export const BACKFILLS = [{ schema: 'history', table: 'waiting_rows', file: 'history/waiting_rows_backfill.sql' }] as const;

/**
 * Creates the schemas and tables that do not exist yet, seeds the static
 * dimensions, (re)creates the mart views and backfills the tables it just created
 * (the reporting layer of a warehouse built before it: backfillReporting). One transaction per
 * file: every file is idempotent, and the Data API caps a batch at 40 statements.
 */
export async function bootstrapWarehouse(engine: WarehouseEngine): Promise<void> {
  const missing: (typeof BACKFILLS)[number][] = [];
  for (const backfill of BACKFILLS) if (!(await tableExists(engine, backfill.schema, backfill.table))) missing.push(backfill);
  for (const file of BOOTSTRAP_FILES) await engine.transaction(sqlStatements(file, engine.dialect));
  // The mart views in one transaction: one Data API call rather than one per view.
  await engine.transaction(MART_VIEWS.flatMap((file) => sqlStatements(file, engine.dialect)));
  for (const backfill of missing) await engine.transaction(sqlStatements(backfill.file, engine.dialect));
  await backfillReporting(engine);
}

async function tableExists(engine: WarehouseEngine, schema: string, table: string): Promise<boolean> {
  const [row] = await engine.query({
    label: `does ${schema}.${table} exist`,
    sql: `select count(*) as n from information_schema.tables where table_schema = :schema_name and table_name = :table_name`,
    params: { schema_name: schema, table_name: table },
  });
  return Number(row?.n ?? 0) > 0;
}
