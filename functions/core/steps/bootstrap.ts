import { createHash } from 'node:crypto';
import type { Statement, WarehouseDialect, WarehouseEngine } from '../engine/types.js';
import { readSqlFile, sqlStatement, sqlStatements } from '../sql/files.js';
import { renderSql } from '../sql/render.js';
import { MART_VIEWS } from '../pipelineManifest.js';
import { backfillReporting } from './buildMarts.js';

/**
 * Every file that creates or seeds the warehouse, in order; all idempotent.
 * An entry is one transaction: the dim_date seed hands its days to the
 * calendar insert in a temp table, which lives as long as the session.
 */
export const BOOTSTRAP_FILES = [
  'ddl/00_pipeline_lease.sql',
  'ddl/01_schemas.sql',
  'ddl/02_audit.sql',
  'ddl/03_staging.sql',
  'ddl/04_history.sql',
  'ddl/05_dw.sql',
  'ddl/06_reporting.sql',
  'seeds/vocabulary.sql',
  ['seeds/dim_date.sql', 'dimensions/dim_date.sql'],
] as const;

/**
 * Tables added after warehouses were first built, with the SQL that fills them
 * from what the warehouse already holds; each runs once, in one transaction with
 * its row in audit.backfills.
 */
export const BACKFILLS = [
  { name: 'history.waiting_rows', file: 'history/waiting_rows_backfill.sql' },
  { name: 'history.changes_and_references', file: 'history/changes_backfill.sql' },
] as const;

/**
 * A hash of everything the bootstrap would run for the dialect: a warehouse
 * built from the same SQL needs no bootstrap, one built from older SQL does.
 */
export function bootstrapVersion(dialect: WarehouseDialect): string {
  const hash = createHash('sha256');
  for (const file of [...BOOTSTRAP_FILES.flat(), ...MART_VIEWS, ...BACKFILLS.map((b) => b.file)]) hash.update(`${file}\n${renderSql(readSqlFile(file), dialect)}\n`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Creates the schemas and tables that do not exist yet, seeds the static
 * dimensions, (re)creates the mart views, runs the backfills not yet done and
 * brings a warehouse built before the reporting layer up to date (backfillReporting), unless the warehouse was
 * built from this very SQL (audit.warehouse_version): then it only checks that.
 * One transaction per file: every file is idempotent, and the Data API caps a
 * batch at 40 statements.
 */
export async function bootstrapWarehouse(engine: WarehouseEngine): Promise<void> {
  const version = bootstrapVersion(engine.dialect);
  if ((await builtVersion(engine)) === version) return;
  const transactions: Statement[][] = [];
  for (const entry of BOOTSTRAP_FILES) {
    const files: readonly string[] = typeof entry === 'string' ? [entry] : entry;
    transactions.push(files.flatMap((file) => sqlStatements(file, engine.dialect)));
  }
  // The mart views in one transaction: one Data API call rather than one per view.
  transactions.push(MART_VIEWS.flatMap((file) => sqlStatements(file, engine.dialect)));
  for (const transaction of transactions.slice(0, -1)) await engine.transaction(transaction);
  const done = new Set((await engine.query(sqlStatement('steps/bootstrap/backfills_done.sql', engine.dialect))).map((r) => String(r.backfill_name)));
  const last = transactions.slice(-1);
  for (const backfill of BACKFILLS.filter((b) => !done.has(b.name))) {
    last.push([
      ...sqlStatements(backfill.file, engine.dialect),
      sqlStatement('steps/bootstrap/backfill_done.sql', engine.dialect, { backfill_name: backfill.name }),
    ]);
  }
  const record = sqlStatements('steps/bootstrap/record_version.sql', engine.dialect, { version });
  for (const transaction of last) await engine.transaction(transaction);
  await backfillReporting(engine);
  // Recorded last and alone: a bootstrap cut short anywhere before runs again in full.
  await engine.transaction(record);
}

/** The version the warehouse was last bootstrapped from, or null (a new or older warehouse). */
async function builtVersion(engine: WarehouseEngine): Promise<string | null> {
  const [table] = await engine.query(sqlStatement('steps/bootstrap/version_table_exists.sql', engine.dialect));
  if (Number(table?.n ?? 0) === 0) return null;
  const [row] = await engine.query(sqlStatement('steps/bootstrap/built_version.sql', engine.dialect));
  return row?.version === undefined || row.version === null ? null : String(row.version);
}
