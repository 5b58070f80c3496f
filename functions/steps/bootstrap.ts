import type { WarehouseEngine } from '../shared/engine/types.js';
import { sqlStatements } from '../shared/sql/files.js';
import { sqlNow } from '../shared/sql/render.js';

/** Every file that creates or seeds the warehouse, in order; all idempotent. */
export const BOOTSTRAP_FILES = [
  'ddl/01_schemas.sql',
  'ddl/02_audit.sql',
  'ddl/03_staging.sql',
  'ddl/04_history.sql',
  'ddl/05_dw.sql',
  'seeds/vocabulary.sql',
  'seeds/dim_date.sql',
] as const;

/**
 * Tables added after warehouses were first built, with the SQL that fills them
 * from what the warehouse already holds; each runs once, in one transaction with
 * its row in audit.backfills.
 */
export const BACKFILLS = [{ name: 'history.waiting_rows', file: 'history/waiting_rows_backfill.sql' }] as const;

/**
 * Creates the schemas and tables that do not exist yet, seeds the static
 * dimensions and runs the backfills not yet done. One transaction per file:
 * every file is idempotent, and the Data API caps a batch at 40 statements.
 */
export async function bootstrapWarehouse(engine: WarehouseEngine): Promise<void> {
  for (const file of BOOTSTRAP_FILES) await engine.transaction(sqlStatements(file, engine.dialect));
  const done = new Set((await engine.query({ label: 'backfills done', sql: 'select backfill_name from audit.backfills' })).map((r) => String(r.backfill_name)));
  for (const backfill of BACKFILLS.filter((b) => !done.has(b.name))) {
    await engine.transaction([
      ...sqlStatements(backfill.file, engine.dialect),
      {
        label: `backfill ${backfill.name} done`,
        sql: `insert into audit.backfills (backfill_name, finished_at) values (:backfill_name, ${sqlNow(engine.dialect)})`,
        params: { backfill_name: backfill.name },
      },
    ]);
  }
}
