import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type RunSummary } from '../functions/local/localRunner.js';
import { compareWarehouses, type TableComparison } from '../offline/compareWarehouses.js';
import type { OfflinePostgres } from '../offline/postgres/embeddedPostgres.js';
import type { PostgresEngine } from '../offline/postgres/postgresEngine.js';
import { runStateMachine, type OfflineRunResult } from '../offline/runStateMachine.js';
import { parseFreshness } from '../functions/core/config.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import type { SourceTable } from '../functions/core/contract.js';
import { runSummary } from '../functions/core/runLedger.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { generateLake, type GenerateSummary } from '../generator/generateLake.js';
import { FRESHNESS_AGE, offlineWarehouse, startPostgres, withoutFreshnessAge } from './helpers/offlineWarehouse.js';
import { tempDir } from './helpers/tempLake.js';

const config = { environment: 'offline', freshness: parseFreshness(undefined) };

/**
 * The whole pipeline twice over one generated multi-batch lake: locally on
 * DuckDB, and through the same ASL with every warehouse statement rendered for
 * Redshift and run on PostgreSQL (offline/postgres). The dw tables must be
 * identical, surrogate keys included.
 */
describe('The pipeline on the Redshift SQL, run by PostgreSQL', () => {
  let server: OfflinePostgres;
  let engine: PostgresEngine;
  let cleanup: () => void;
  let generated: GenerateSummary;
  let lakeDir: string;
  let local: RunSummary;
  let offline: OfflineRunResult;
  let comparison: TableComparison[];

  beforeAll(async () => {
    // Prepare
    let dir: string;
    ({ dir, cleanup } = tempDir('ecomdw-pg-'));
    lakeDir = path.join(dir, 'lake');
    const db = path.join(dir, 'warehouse.duckdb');
    generated = await generateLake({ out: lakeDir, scale: 0.02, days: 4, seed: 11, format: 'mixed', startDate: '2024-01-01' });
    server = await startPostgres();
    const warehouse = await offlineWarehouse(server, lakeDir);
    engine = warehouse.engine;
    const lake = new LocalLake(lakeDir);

    // Act
    local = await runPipeline({ lakeDir, dbPath: db, config });
    offline = await runStateMachine({
      context: { engine, lake, config },
      normalize: async (table, batchId) => {
        await normalizeTable(lake, { table: table as SourceTable, batchId });
      },
    });
    comparison = await compareWarehouses(warehouse.connection, db, {
      schemas: ['dw', 'audit', 'known'],
      // Run ids and load times differ between two runs by design; audit.metrics holds the local runner's extra figures.
      ignoreColumns: ['batch_id', 'run_id', 'attempts', 'started_at', 'finished_at', 'loaded_at', 'tested_at', 'recorded_at', 'raised_at'],
      masks: [FRESHNESS_AGE],
    });
  });

  afterAll(async () => {
    await engine?.close();
    await server?.stop();
    cleanup?.();
  });

  it('runs every batch through the ASL to done on PostgreSQL', async () => {
    // Assess
    expect(local.failure).toBeNull();
    expect(offline.failure).toBeNull();
    const ledger = await engine.query({ sql: `select batch_id, status from audit.batches order by batch_id` });
    expect(ledger).toEqual(generated.batches.map((batch_id) => ({ batch_id, status: 'done' })));
    // Every statement went through the Data API's rules: batches of at most 40, one COPY per table and batch.
    expect(engine.stats.copiedFiles).toBe(generated.batches.length * 6);
    expect(engine.stats.statements).toBeGreaterThan(500);
  });

  it('builds dw tables identical to DuckDB, surrogate keys included', () => {
    // Assess
    const dw = comparison.filter((c) => c.table.startsWith('dw.'));
    expect(dw.map((c) => c.table)).toEqual(
      expect.arrayContaining(['dw.dim_customers', 'dw.dim_products', 'dw.dim_date', 'dw.fact_order_items', 'dw.fact_payments']),
    );
    for (const table of dw) {
      expect(table.duckdbRows, table.table).toBeGreaterThan(0);
      expect({ ...table, examples: table.examples.join('\n') }, table.table).toMatchObject({ postgresRows: table.duckdbRows, onlyInDuckdb: 0, onlyInPostgres: 0 });
    }
  });

  it('summarizes each batch from the ledger as the local run did: the same function over the Redshift SQL', async () => {
    // Prepare
    const runs = await engine.query({ sql: 'select run_id from audit.runs order by batch_id' });
    const withoutRun = ({ runId: _runId, seconds: _seconds, warnedTests, ...figures }: (typeof local.batches)[number]) => ({
      ...figures,
      warnedTests: warnedTests.map((w) => ({ ...w, sampleKeys: withoutFreshnessAge(w.sampleKeys) })),
    });

    // Act
    const cloud = await runSummary({ engine, lake: new LocalLake(lakeDir) }, runs.map((r) => String(r.run_id)));

    // Assess
    expect(cloud.map((b) => b.runId)).toEqual(runs.map((r) => String(r.run_id)));
    expect(cloud.map(withoutRun)).toEqual(local.batches.map(withoutRun));
    expect(local.batches.map((b) => b.tables.length)).toEqual(generated.batches.map(() => 6));
    // timed from the run's start in audit.batches to its end in audit.runs
    expect(cloud.every((b) => b.seconds > 0 && b.seconds < 600)).toBe(true);
  });

  it('records the same ledger, row conservation, test results and warnings', () => {
    // Assess
    for (const name of ['audit.batches', 'audit.table_loads', 'audit.test_results', 'audit.warnings', 'audit.runs']) {
      const table = comparison.find((c) => c.table === name);
      expect(table, name).toBeDefined();
      expect({ ...table, examples: table?.examples.join('\n') }, name).toMatchObject({ postgresRows: table?.duckdbRows, onlyInDuckdb: 0, onlyInPostgres: 0 });
    }
  });

  it('records the same reporting history: what was known load by load, the published figures and their restatements', () => {
    // Assess
    const reporting = comparison.filter((c) => c.table.startsWith('known.') || c.table.startsWith('audit.restatement'));
    expect(reporting.map((c) => c.table).sort()).toEqual(
      expect.arrayContaining(['audit.restatement_causes', 'audit.restatements', 'known.daily_figures', 'known.loads', 'known.order_items', 'known.orders']),
    );
    for (const table of reporting) {
      expect({ ...table, examples: table.examples.join('\n') }, table.table).toMatchObject({ postgresRows: table.duckdbRows, onlyInDuckdb: 0, onlyInPostgres: 0 });
    }
    expect(reporting.find((c) => c.table === 'audit.restatements')?.duckdbRows).toBeGreaterThan(0);
  });
});
