import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import type { Report } from '../functions/report/types.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';
import { runEcomdw } from './helpers/cli.js';

const config = TEST_CONFIG;

const ecomdw = runEcomdw;

const { dir, cleanup } = tempDir('ecomdw-report-cli-');
const lake = path.join(dir, 'lake');
const db = path.join(dir, 'w.duckdb');

beforeAll(async () => {
  // b1: Ann in Paris orders a mug (kitchen) on 2 January; b2: she moves to Lyon and the mug
  // becomes tableware on 5 January, after the order.
  writeRaw(lake, 'customers', 'b1', 'c.csv', 'customer_id,updated_at,city,segment\nc1,2024-01-01 00:00:00,Paris,consumer\n');
  writeRaw(lake, 'products', 'b1', 'p.csv', 'product_id,updated_at,unit_cost,category\np1,2024-01-01 00:00:00,4,kitchen\n');
  writeRaw(lake, 'orders', 'b1', 'o.csv', 'order_id,customer_id,order_ts,updated_at,status\no1,c1,2024-01-02 10:00:00,2024-01-02 10:00:00,paid\n');
  writeRaw(lake, 'order_items', 'b1', 'i.csv', 'order_id,line_number,product_id,quantity,unit_price,updated_at\no1,1,p1,2,10,2024-01-02 10:00:00\n');
  writeRaw(lake, 'payments', 'b1', 'y.csv', 'payment_id,order_id,payment_method,amount,paid_at\ny1,o1,card,20,2024-01-02 10:05:00\n');
  writeRaw(lake, 'customers', 'b2', 'c.csv', 'customer_id,updated_at,city,segment\nc1,2024-01-05 00:00:00,Lyon,consumer\n');
  writeRaw(lake, 'products', 'b2', 'p.csv', 'product_id,updated_at,unit_cost,category\np1,2024-01-05 00:00:00,4,tableware\n');
  expect((await runPipeline({ lakeDir: lake, dbPath: db, config })).failure).toBeNull();
}, 60_000);
afterAll(() => cleanup());

describe('ecomdw report, as a user runs it', () => {
  it.each([
    [['--from', '2024-02-30'], "--from must be a date YYYY-MM-DD, got '2024-02-30'"],
    [['--to', 'yesterday'], "--to must be a date YYYY-MM-DD, got 'yesterday'"],
    [['--from', '2024-03-02', '--to', '2024-03-01'], '--from 2024-03-02 is after --to 2024-03-01'],
    [['--attribution', 'then'], "--attribution must be purchase, current or as-of:YYYY-MM-DD, got 'then'"],
    [['--attribution', 'as-of:2024-13-01'], "--attribution as-of must be a date YYYY-MM-DD, got '2024-13-01'"],
    [['--known-at', 'b9'], '--known-at b9: no successful load of that batch or run in this warehouse (loaded batches: b1, b2)'],
    [['--known-at', 'b1', '--changes-since', 'b2'], "--changes-since b2 (load 2) is later than the report's load 1 (batch b1)"],
    [['--section', 'revenue,basket'], '--section takes section ids separated by commas'],
    [['--format', 'xml'], "--format must be one of table, json, csv, html, got 'xml'"],
  ])('refuses %j in one line with exit code 2', async (args, message) => {
    // Act
    const { code, stdout, stderr } = await ecomdw(['report', '--db', db, ...args]);
    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });

  it('says when there is no warehouse, or no batch has been loaded into it yet', async () => {
    // Prepare: a warehouse whose only batch failed
    const failedDb = path.join(dir, 'failed.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: failedDb, config, batchId: 'b1', overrides: { ValidateBatch: () => Promise.reject(new Error('down')) } });
    // Act
    const missing = await ecomdw(['report', '--db', path.join(dir, 'nope.duckdb')]);
    const empty = await ecomdw(['report', '--db', failedDb]);
    // Assess
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no warehouse at ${path.join(dir, 'nope.duckdb')}`);
    expect(existsSync(path.join(dir, 'nope.duckdb'))).toBe(false);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the warehouse holds no loaded batch yet');
  }, 60_000);

  it('explains itself with --help', async () => {
    // Act
    const { code, stdout } = await ecomdw(['report', '--help']);
    // Assess
    expect(code).toBe(0);
    for (const flag of ['--from <date>', '--to <date>', '--grain <grain>', '--attribution <how>', '--known-at <batch>', '--changes-since <batch>', '--format <format>', '--out <file>', '--section <ids>']) {
      expect(stdout).toContain(flag);
    }
  });

  it('attributes the sale to the city and category at purchase, today, or at a date', async () => {
    // Act
    const cities = async (attribution: string) => {
      const { stdout } = await ecomdw(['report', '--db', db, '--json', '--attribution', attribution, '--section', 'geography_segments,categories']);
      const report = JSON.parse(stdout) as Report;
      const geography = report.sections.find((s) => s.id === 'geography_segments')?.rows ?? [];
      const categories = report.sections.find((s) => s.id === 'categories')?.rows ?? [];
      return [geography.find((r) => r.dimension === 'city')?.slice_value, categories[0]?.category, report.parameters.attribution];
    };
    // Assess
    expect(await cities('purchase')).toEqual(['Paris', 'kitchen', 'purchase']);
    expect(await cities('current')).toEqual(['Lyon', 'tableware', 'current']);
    expect(await cities('as-of:2024-01-04')).toEqual(['Paris', 'kitchen', 'as-of:2024-01-04']);
    expect(await cities('as-of:2024-01-05')).toEqual(['Lyon', 'tableware', 'as-of:2024-01-05']);
  });

  it('writes one clean CSV for one section, blocks for several, and the file named by --out', async () => {
    // Act
    const one = await ecomdw(['report', '--db', db, '--format', 'csv', '--section', 'payment_channels']);
    const two = await ecomdw(['report', '--db', db, '--format', 'csv', '--section', 'payment_channels,basket']);
    const out = path.join(dir, 'out', 'report.json');
    const written = await ecomdw(['report', '--db', db, '--json', '--out', out]);
    // Assess
    expect(one.stdout).toBe('payment_channel,payments,amount,share_pct\ncard,1,20.00,100.0\n');
    expect(two.stdout.split('\n\n').map((block) => block.split('\n')[0])).toEqual(['# payment_channels: Payment channels', '# basket: Basket']);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain(`written to ${out}`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Report).asOf.batchId).toBe('b2');
  });

  it('brings a warehouse built before the reporting layer up to date on its next run: the same figures, as of its last batch', async () => {
    // Prepare: a copy without fact_order_fulfillment, known.* and the marts, as one built before them
    // (so from older SQL: another bootstrap version)
    const older = path.join(dir, 'older.duckdb');
    copyFileSync(db, older);
    await queryDuckDb(older, "drop schema mart cascade; drop schema known cascade; drop table dw.fact_order_fulfillment; update audit.warehouse_version set version = 'before-reporting';");
    const figures = ['revenue_trend', 'payment_channels', 'categories', 'geography_segments', 'cohorts', 'fulfillment', 'basket'];
    const sectionsOf = async (file: string) => {
      const { stdout } = await ecomdw(['report', '--db', file, '--json', '--section', figures.join(',')]);
      // the as-was columns compare with the load before: the upgraded warehouse has none
      return (JSON.parse(stdout) as Report).sections.map((s) => ({ ...s, rows: s.rows.map(({ revenue_as_was, margin_as_was, ...rest }) => rest) }));
    };
    // Act
    const before = await ecomdw(['report', '--db', older]);
    const reopened = await runPipeline({ lakeDir: lake, dbPath: older, config });
    // Assess
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('no reporting tables yet');
    expect(reopened.failure).toBeNull();
    expect(await queryDuckDb(older, 'select load_seq, batch_id from known.loads')).toEqual([{ load_seq: '0', batch_id: 'b2' }]);
    expect(await sectionsOf(older)).toEqual(await sectionsOf(db));
  }, 60_000);

  it('shows the reporting layer in the lineage: facts feed known.*, known.* feeds the marts', async () => {
    // Act
    const { code, stdout } = await ecomdw(['lineage', '--json']);
    // Assess
    expect(code).toBe(0);
    const sources = (model: string) => (JSON.parse(stdout) as { model: string; sources: string[] }[]).find((n) => n.model === model)?.sources;
    expect(sources('known.order_items')).toEqual(expect.arrayContaining(['dw.fact_order_items', 'dw.dim_products', 'dw.dim_customers']));
    expect(sources('dw.fact_order_fulfillment')).toEqual(expect.arrayContaining(['dw.fact_order_items', 'dw.fact_payments', 'history.shipments']));
    expect(sources('mart.sales')).toEqual(['known.customers', 'known.order_items', 'known.products']);
  });

  it('takes a run id for --known-at, and keeps a batch forced again at its first load', async () => {
    // Prepare: b1 forced again after b2: a later load of the same batch
    const forcedDb = path.join(dir, 'forced.duckdb');
    copyFileSync(db, forcedDb);
    const [first] = await queryDuckDb(forcedDb, `select run_id from known.loads where batch_id = 'b1'`);
    expect((await runPipeline({ lakeDir: lake, dbPath: forcedDb, config, batchId: 'b1', force: true })).failure).toBeNull();
    const asOf = async (args: string[]) => (JSON.parse((await ecomdw(['report', '--db', forcedDb, '--json', ...args])).stdout) as Report).asOf;
    // Act
    const byBatch = await asOf(['--known-at', 'b1']);
    const byRun = await asOf(['--known-at', String(first?.run_id)]);
    const latest = await asOf([]);
    // Assess
    expect(byBatch).toEqual(byRun);
    expect(byBatch).toMatchObject({ loadSeq: 1, batchId: 'b1', runId: first?.run_id });
    expect(latest).toMatchObject({ loadSeq: 3, batchId: 'b1' });
    expect(latest.runId).not.toBe(first?.run_id);
  }, 60_000);
});
