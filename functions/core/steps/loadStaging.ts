import { AUDIT_LIMITS, countsJsonWithinBytes, joinWithinBytes } from '../auditLimits.js';
import { SOURCE_TABLES, columnNames, isSourceTable, SILVER_LINEAGE_COLUMNS, type SourceTable } from '../contract.js';
import { sqlStatement, sqlStatements, sqlTemplateStatements } from '../sql/files.js';
import { NormalizationError } from '../errors.js';
import type { Statement } from '../engine/types.js';
import { batchPrefix } from '../lake/layout.js';
import type { NormalizeManifest } from '../lake/manifest.js';
import type { TableLoad } from '../runLedger.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';

export type { TableLoad };

export interface LoadStagingResult {
  readonly tables: TableLoad[];
  readonly metrics: StepMetric[];
}

/**
 * Step 3: replaces the staging tables with the batch's silver rows and records
 * per-table conservation (raw = silver + quarantined) in audit.table_loads,
 * all in one transaction.
 */
export async function loadStaging(context: StepContext, batch: BatchRef): Promise<LoadStagingResult> {
  const { engine, lake } = context;
  const tables = batch.tables.filter(isSourceTable);
  const manifests: NormalizeManifest[] = [];
  for (const table of tables) {
    const manifest = await lake.readManifest(table, batch.batchId);
    if (manifest === null) {
      throw new NormalizationError(`no normalization output for ${table} in batch ${batch.batchId} (expected ${batchPrefix('silver', table, batch.batchId)}/_manifest.json)`);
    }
    manifests.push(manifest);
  }
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  const statements: Statement[] = [
    ...SOURCE_TABLES.flatMap((table) => sqlTemplateStatements('steps/load_staging/_empty_staging.sql', table, engine.dialect)),
    // The data API takes no empty string: ',,' is the list of no table.
    ...sqlStatements('steps/load_staging/begin_load.sql', engine.dialect, { ...params, loaded_tables: `,${tables.join(',')},` }),
  ];
  for (const manifest of manifests) {
    const { table } = manifest;
    statements.push(
      engine.loadParquet(`staging.${table}`, [...columnNames(table), ...SILVER_LINEAGE_COLUMNS], batchPrefix('silver', table, batch.batchId)),
      ...sqlTemplateStatements('steps/load_staging/_table_load.sql', table, engine.dialect, {
        ...params,
        table_name: table,
        files: manifest.files.length,
        unreadable_files: manifest.files.filter((f) => !f.readable).length,
        raw_rows: manifest.rawRows,
        silver_rows: manifest.silverRows,
        quarantined_rows: manifest.quarantinedRows,
        extra_columns: joinWithinBytes(extraColumns(manifest), ',', AUDIT_LIMITS.extraColumns) || '-',
        reject_reasons: countsJsonWithinBytes(manifest.rejectReasons, AUDIT_LIMITS.rejectReasons),
      }),
    );
  }
  await engine.transaction(statements);

  const staged = await engine.query(sqlStatement('steps/load_staging/staged_rows.sql', engine.dialect, { batch_id: batch.batchId }));
  const stagedByTable = new Map(staged.map((r) => [String(r.table_name), Number(r.staged_rows)]));
  const loads = manifests.map(
    (m): TableLoad => ({
      table: m.table,
      files: m.files.length,
      unreadableFiles: m.files.filter((f) => !f.readable).length,
      rawRows: m.rawRows,
      silverRows: m.silverRows,
      quarantinedRows: m.quarantinedRows,
      stagedRows: stagedByTable.get(m.table) ?? 0,
      extraColumns: extraColumns(m),
      problemFiles: m.files.filter((f) => f.fileError !== null).map((f) => ({ file: f.file, reason: f.fileError ?? '' })),
    }),
  );
  const metrics = loads.flatMap((l): StepMetric[] => [
    { name: 'RowsIngested', value: l.rawRows, unit: 'Count', table: l.table },
    { name: 'RowsQuarantined', value: l.quarantinedRows, unit: 'Count', table: l.table },
  ]);
  return { tables: loads, metrics };
}

/**
 * Makes sure the staging tables hold this run's load of the batch, loading them
 * again when another load has replaced them since (a step run again alone, after
 * another batch's run): the steps that read staging call it first.
 */
export async function ensureStaged(context: StepContext, batch: BatchRef): Promise<void> {
  const held = await context.engine.query(sqlStatement('steps/load_staging/staging_holds.sql', context.engine.dialect));
  if (held.length === 1 && held[0]?.batch_id === batch.batchId && held[0]?.run_id === batch.runId) return;
  await loadStaging(context, batch);
}

function extraColumns(manifest: NormalizeManifest): string[] {
  return [...new Set(manifest.files.flatMap((f) => f.extraColumns))].sort();
}
