import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { runPipeline, type RunSummary } from '../cli/localRunner.js';
import { parseFreshness } from '../functions/shared/config.js';
import { generateLake, type GenerateSummary } from '../generator/generateLake.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { snapshotDw } from './helpers/warehouse.js';

const config = { environment: 'test', freshness: parseFreshness(undefined) };

describe('Running the whole local pipeline through the state machine', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: string;
  let db: string;
  let generated: GenerateSummary;
  let first: RunSummary;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    lake = path.join(dir, 'lake');
    db = path.join(dir, 'warehouse.duckdb');
    generated = await generateLake({ out: lake, scale: 0.02, days: 3, seed: 7, format: 'mixed' });
    first = await runPipeline({ lakeDir: lake, dbPath: db, config });
  });
  afterAll(() => cleanup());

  it('processes every batch in ascending order and marks each done', async () => {
    // Assess
    expect(first.failure).toBeNull();
    expect(first.batches.map((b) => b.batchId)).toEqual(generated.batches);
    const ledger = await queryDuckDb(db, 'select batch_id, status from audit.batches order by batch_id');
    expect(ledger).toEqual(generated.batches.map((batch_id) => ({ batch_id, status: 'done' })));
  });

  it('conserves rows: raw = silver + quarantined, per table and batch, and matches what the generator wrote', async () => {
    // Prepare
    const loads = await queryDuckDb(db, 'select batch_id, table_name, raw_rows, silver_rows, quarantined_rows, staged_rows, unreadable_files from audit.table_loads');
    // Assess
    expect(loads.length).toBeGreaterThan(0);
    for (const load of loads) {
      expect(Number(load.raw_rows)).toBe(Number(load.silver_rows) + Number(load.quarantined_rows));
      expect(Number(load.staged_rows)).toBe(Number(load.silver_rows));
      // The generator counts the rows of parseable files; an unreadable file counts as one raw record.
      const written = generated.rowsByTableAndBatch[String(load.table_name)]?.[String(load.batch_id)] ?? 0;
      expect(Number(load.raw_rows)).toBe(written + Number(load.unreadable_files));
    }
    expect(loads.reduce((n, l) => n + Number(l.unreadable_files), 0)).toBe(generated.malformedFiles.length);
  });

  it('quarantines at least every row the generator planted as invalid', async () => {
    // Prepare
    const rows = await queryDuckDb(db, 'select table_name, sum(quarantined_rows - unreadable_files) as quarantined from audit.table_loads group by table_name');
    // Assess
    for (const row of rows) {
      expect(Number(row.quarantined)).toBeGreaterThanOrEqual(generated.invalidRowsByTable[String(row.table_name)] ?? 0);
    }
  });

  it('builds facts that reconcile with the latest item records and records passing tests', async () => {
    // Prepare
    const [totals] = await queryDuckDb(db, `select
        (select count(*) from dw.fact_order_items) as facts,
        (select count(*) from audit.test_results where status = 'fail') as failed,
        (select count(*) from audit.test_results where status = 'pass') as passed`);
    // Assess
    expect(Number(totals?.facts)).toBeGreaterThan(0);
    expect(Number(totals?.failed)).toBe(0);
    expect(Number(totals?.passed)).toBeGreaterThan(0);
    expect(first.batches.every((b) => b.testsFailed === 0 && b.versionsCreated > 0)).toBe(true);
  });

  it('does nothing on a second run and leaves the warehouse as it was', async () => {
    // Prepare
    const before = await snapshotDw(db);
    // Act
    const second = await runPipeline({ lakeDir: lake, dbPath: db, config });
    // Assess
    expect(second.batches).toEqual([]);
    expect(second.note).toBe('every batch is done');
    expect(await snapshotDw(db)).toEqual(before);
  });

  it('converges to the same warehouse when a done batch is forced again', async () => {
    // Prepare
    const before = await snapshotDw(db);
    const middle = generated.batches[1] ?? '';
    // Act
    const forced = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: middle, force: true });
    // Assess
    expect(forced.batches.map((b) => b.batchId)).toEqual([middle]);
    expect(await snapshotDw(db)).toEqual(before);
  });

  it('refuses to re-run a done batch without force, saying why', async () => {
    // Act
    const again = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: generated.batches[0] });
    // Assess
    expect(again.batches).toEqual([]);
    expect(again.note).toMatch(/already done \(use --force/);
  });
});
