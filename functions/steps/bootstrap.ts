import type { WarehouseEngine } from '../shared/engine/types.js';
import { sqlStatements } from '../shared/sql/files.js';

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
 * Creates the schemas and tables that do not exist yet and seeds the static
 * dimensions. One transaction per file: every file is idempotent, and the
 * Data API caps a batch at 40 statements.
 */
export async function bootstrapWarehouse(engine: WarehouseEngine): Promise<void> {
  for (const file of BOOTSTRAP_FILES) await engine.transaction(sqlStatements(file, engine.dialect));
}
