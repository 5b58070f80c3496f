import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type RunSummary } from '../functions/local/localRunner.js';
import { generateLake, type GenerateSummary } from '../generator/generateLake.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { snapshotDw } from './helpers/warehouse.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;

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
    generated = await generateLake({ out: lake, scale: 0.02, days: 3, seed: 7, format: 'mixed', startDate: '2024-01-01' });
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

  it('fills history.waiting_rows from the history when a warehouse built before that table is opened', async () => {
    // Prepare: items, a payment and a shipment whose orders never arrive, and a
    // copy of the warehouse without the table, as one built before it was
    const small = path.join(dir, 'waiting-lake');
    writeRaw(small, 'customers', 'b1', 'c.csv', 'customer_id,updated_at\nc1,2024-01-01 00:00:00\n');
    writeRaw(small, 'products', 'b1', 'p.csv', 'product_id,updated_at,unit_cost\np1,2024-01-01 00:00:00,4\n');
    writeRaw(small, 'orders', 'b1', 'o.csv', 'order_id,customer_id,order_ts,updated_at\no1,c1,2024-01-02 10:00:00,2024-01-02 10:00:00\n');
    writeRaw(small, 'order_items', 'b1', 'i.csv', 'order_id,line_number,product_id,quantity,unit_price,updated_at\no1,1,p1,1,5,2024-01-02 10:00:00\no2,1,p1,2,5,2024-01-02 10:00:00\no2,2,p1,1,7,2024-01-02 10:00:00\n');
    writeRaw(small, 'payments', 'b1', 'y.csv', 'payment_id,order_id,payment_method,amount,paid_at\ny3,o3,card,9,2024-01-02 10:00:00\n');
    writeRaw(small, 'shipments', 'b1', 's.csv', 'shipment_id,order_id,status,updated_at\ns4,o4,shipped,2024-01-02 10:00:00\n');
    const current = path.join(dir, 'waiting.duckdb');
    expect((await runPipeline({ lakeDir: small, dbPath: current, config })).failure).toBeNull();
    const older = path.join(dir, 'older.duckdb');
    copyFileSync(current, older);
    // (and so before the bootstrap recorded its version and its backfills)
    for (const table of ['history.waiting_rows', 'audit.backfills', 'audit.warehouse_version']) await queryDuckDb(older, `drop table ${table}`);
    const waiting = `select source_table, order_id, source_key from history.waiting_rows order by all`;
    // Act
    const reopened = await runPipeline({ lakeDir: small, dbPath: older, config });
    // Assess
    expect(reopened.failure).toBeNull();
    const expected = [
      { source_table: 'order_items', order_id: 'o2', source_key: 'o2#1' },
      { source_table: 'order_items', order_id: 'o2', source_key: 'o2#2' },
      { source_table: 'payments', order_id: 'o3', source_key: 'y3' },
      { source_table: 'shipments', order_id: 'o4', source_key: 's4' },
    ];
    expect(await queryDuckDb(current, waiting)).toEqual(expected);
    expect(await queryDuckDb(older, waiting)).toEqual(expected);
  });
});
