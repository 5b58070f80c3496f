import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { warnedTestLines } from '../cli/output.js';
import type { BatchSummary } from '../functions/local/localRunner.js';
import { DEFAULT_FRESHNESS } from '../functions/core/config.js';
import { SOURCE_TABLES } from '../functions/core/contract.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { runEcomdw, type CliOutcome } from './helpers/cli.js';

// One small demo warehouse for the whole file: what a new user sees from `npm start`.
let dir: string;
let cleanup: () => void;
let demo: CliOutcome;

const ecomdw = (...args: string[]): Promise<CliOutcome> => runEcomdw(args);

const day = (daysAgo: number): string => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const db = (): string => path.join(dir, 'demo', 'warehouse.duckdb');

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('ecomdw-first-run-'));
  // Orders held to a threshold every batch misses: the summary must say how stale, against what.
  vi.stubEnv('ECOMDW_FRESHNESS', JSON.stringify({ orders: { warnAfterHours: 0.001 } }));
  demo = await ecomdw('demo', '--dir', path.join(dir, 'demo'), '--scale', '0.01', '--days', '2');
  vi.unstubAllEnvs();
}, 120_000);
afterAll(() => cleanup());
afterEach(() => vi.unstubAllEnvs());

describe('The demo, as a new user runs it', () => {
  it('succeeds, on data dated the last days, ending yesterday', async () => {
    // Assess
    expect(demo.code, demo.stderr).toBe(0);
    const batches = await queryDuckDb(db(), 'select batch_id from audit.batches order by batch_id');
    expect(batches.map((b) => b.batch_id)).toEqual([day(2), day(1)]);
  });

  it('prints a progress line per batch as it finishes, with its figures, on stderr', async () => {
    // Prepare
    const recorded = await queryDuckDb(
      db(),
      `select batch_id, sum(metric_value) filter (where metric = 'FactRowsUpserted') as upserted
       from audit.metrics group by batch_id order by batch_id`,
    );

    // Act
    const lines = demo.stderr.split('\n').filter((l) => l.startsWith('batch '));

    // Assess
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => {
      expect(line).toMatch(/^batch \S+ done in [\d.]+ s: [\d,]+ raw rows → [\d,]+ silver \+ [\d,]+ quarantined; [\d,]+ SCD2 versions created; [\d,]+ fact rows upserted; tests \d+ passed, \d+ warned, 0 failed$/);
      expect(line).toContain(`batch ${String(recorded[i]?.batch_id)} `);
      expect(line).toContain(`; ${Number(recorded[i]?.upserted).toLocaleString('en-US')} fact rows upserted;`);
    });
    // the lines come while the pipeline runs, before the closing summary on stdout
    expect(demo.stdout).not.toMatch(/^batch \S+ done/m);
  });

  it('names the column of rows upserted per batch for what it is', () => {
    // Assess
    const header = demo.stdout.split('\n').find((l) => l.includes('batch') && l.includes('table')) ?? '';
    expect(header).toContain('fact rows upserted');
    expect(header).not.toMatch(/│ facts\s+│/);
  });

  it('names the tests that warned, with the sample keys audit.test_results holds, and the freshness threshold', async () => {
    // Prepare
    const warned = await queryDuckDb(
      db(),
      `select test_name, sample_keys from audit.test_results as results
       inner join audit.batches as batches on batches.run_id = results.run_id
       where results.status = 'warn' and batches.batch_id = '${day(1)}' order by test_name`,
    );

    // Act
    const section = demo.stdout.slice(demo.stdout.indexOf('tests that warned'));

    // Assess
    expect(warned.length).toBeGreaterThan(1);
    for (const test of warned) {
      const line = section.split('\n').find((l) => l.startsWith(`  ${String(test.test_name)} (`));
      expect(line, String(test.test_name)).toBeDefined();
      if (test.test_name !== 'orders.freshness_warn') expect(line).toContain(String(test.sample_keys));
    }
    expect(section).toMatch(/^ {2}orders\.freshness_warn \(2 of 2 batches, latest \S+\): 1 row: orders: newest change .+ is [\d,.]+ h old, warn after 0\.001 h/m);
    // at the default threshold (48 h), a fresh demo's last batch is fresh
    expect(warned.map((w) => w.test_name).filter((t) => String(t).includes('freshness'))).toEqual(['orders.freshness_warn']);
  });

  it('says how stale a stale source is, and against which threshold, in words a reader scans', () => {
    // Prepare: a lake dated 2024 loaded today, orders held to 24 h
    const freshness = { ...Object.fromEntries(SOURCE_TABLES.map((t) => [t, DEFAULT_FRESHNESS])), orders: { warnAfterHours: 24, errorAfterHours: 72 } } as const;
    const batch = (batchId: string, hours: number): BatchSummary => ({
      batchId, runId: `${batchId}-run`, tables: [], versionsCreated: 0, factRowsUpserted: 0, testsPassed: 0, testsWarned: 1, testsFailed: 1, seconds: 1,
      warnedTests: [
        { test: 'orders.freshness_error', failingRows: 1, sampleKeys: `orders: newest change ${batchId} 23:59:38 is ${hours} h old` },
        { test: 'orders.freshness_warn', failingRows: 1, sampleKeys: `orders: newest change ${batchId} 23:59:38 is ${hours} h old` },
      ],
    });

    // Act
    const lines = warnedTestLines([batch('2024-01-06', 25037), batch('2024-01-07', 25013)], freshness as never);

    // Assess
    expect(lines.slice(1)).toEqual([
      '  orders.freshness_error (2 of 2 batches, latest 2024-01-07): 1 row: orders: newest change 2024-01-07 23:59:38 is 25,013 h old, error after 72 h (ECOMDW_FRESHNESS)',
      '  orders.freshness_warn (2 of 2 batches, latest 2024-01-07): 1 row: orders: newest change 2024-01-07 23:59:38 is 25,013 h old, warn after 24 h (ECOMDW_FRESHNESS)',
    ]);
  });

  it('writes the HTML report of the demo warehouse and prints its path', () => {
    // Prepare
    const report = path.join(dir, 'demo', 'report.html');

    // Assess
    expect(demo.stdout).toContain(`HTML report: ${report} (written in `);
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain(day(1));
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThan(3);
  });

  it('suggests follow-up commands with its own paths, which work, and no duckdb shell', async () => {
    // Prepare
    const hint = demo.stdout.split('\n').find((l) => l.includes('ecomdw -- sql')) ?? '';
    const query = /sql "([^"]+)"/.exec(hint)?.[1] ?? '';

    // Act
    const followed = await ecomdw('sql', query, '--db', db(), '--format', 'csv');

    // Assess
    expect(demo.stdout).toContain(`report --db ${db()}`);
    expect(demo.stdout).toContain(`validate --lake ${path.join(dir, 'demo', 'lake')} --db ${db()}`);
    expect(demo.stdout).not.toMatch(/(^|\s)duckdb\s/m);
    expect(demo.stdout).not.toContain('./data');
    expect(hint).toContain(`--db ${db()}`);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout.split('\r\n').filter((l) => l !== '')).toHaveLength(11);
  });
});

describe('ecomdw sql', () => {
  it('prints a query as a table, JSON or CSV', async () => {
    // Prepare
    const [expected] = await queryDuckDb(db(), 'select count(*) as n, sum(net_revenue)::varchar as net from dw.fact_order_items');
    const query = 'select count(*) as n, sum(net_revenue) as net, null as nothing from dw.fact_order_items';

    // Act
    const table = await ecomdw('sql', query, '--db', db());
    const json = await ecomdw('sql', query, '--db', db(), '--json');
    const csv = await ecomdw('sql', query, '--db', db(), '--format', 'csv');

    // Assess
    expect(JSON.parse(json.stdout)).toEqual([{ n: Number(expected?.n), net: String(expected?.net), nothing: null }]);
    expect(csv.stdout).toBe(`n,net,nothing\r\n${String(expected?.n)},${String(expected?.net)},\r\n`);
    expect(table.stdout).toMatch(new RegExp(`│ ${String(expected?.n)}\\s+│ ${String(expected?.net).replace('.', '\\.')}\\s+│ NULL\\s+│`));
    expect(table.stdout).toMatch(/^1 row$/m);
  });

  it('opens the warehouse read-only: a write fails with exit 1 and DuckDB\'s message, and changes nothing', async () => {
    // Prepare
    const [before] = await queryDuckDb(db(), 'select count(*) as n from dw.fact_payments');

    // Act
    const write = await ecomdw('sql', 'delete from dw.fact_payments', '--db', db());

    // Assess
    expect(write.code).toBe(1);
    expect(write.stderr).toMatch(/^ecomdw: query failed: .*read-only mode/);
    const [after] = await queryDuckDb(db(), 'select count(*) as n from dw.fact_payments');
    expect(after?.n).toBe(before?.n);
    expect(Number(after?.n)).toBeGreaterThan(0);
  });

  it('exits 1 with DuckDB\'s message on a SQL error, and 2 on a missing warehouse', async () => {
    // Act
    const bad = await ecomdw('sql', 'select * from dw.no_such_table', '--db', db());
    const missing = await ecomdw('sql', 'select 1', '--db', path.join(dir, 'nowhere.duckdb'));

    // Assess
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ecomdw: query failed: Catalog Error: Table with name no_such_table does not exist/);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`ecomdw: no warehouse at ${path.join(dir, 'nowhere.duckdb')}: run \`ecomdw run\` (or \`ecomdw demo\`) to build one, or give --db (env ECOMDW_DB)`);
    expect(existsSync(path.join(dir, 'nowhere.duckdb'))).toBe(false);
  });

  it('prints the final SQL of a model, rendered for each warehouse dialect', async () => {
    // Act
    const duckdb = await ecomdw('sql', '--render', 'dimensions/dim_customers');
    const redshift = await ecomdw('sql', '--render', 'sql/dimensions/dim_customers.sql', '--dialect', 'redshift');
    const typo = await ecomdw('sql', '--render', 'dimensions/dim_customer');

    // Assess
    const source = readFileSync(path.join('sql', 'dimensions', 'dim_customers.sql'), 'utf8');
    expect(source).toContain('{{');
    for (const rendered of [duckdb, redshift]) {
      expect(rendered.code, rendered.stderr).toBe(0);
      expect(rendered.stdout).toContain('dw.dim_customers');
      expect(rendered.stdout).not.toContain('{{');
    }
    expect(redshift.stdout).not.toBe(duckdb.stdout);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no model sql\/dimensions\/dim_customer\.sql; models there: .*dimensions\/dim_customers\b/);
  });

  it('prints what the Glue job runs (--dialect spark), and says what a template or a dialect cannot render', async () => {
    // Act
    const spark = await ecomdw('sql', '--render', 'normalize/orders', '--dialect', 'spark');
    const template = await ecomdw('sql', '--render', 'normalize/_contract_values');
    const wrongDialect = await ecomdw('sql', '--render', 'normalize/orders', '--dialect', 'redshift');
    const warehouseOnSpark = await ecomdw('sql', '--render', 'known/orders', '--dialect', 'spark');

    // Assess
    expect(spark.code, spark.stderr).toBe(0);
    expect(spark.stdout).toMatch(/\bfrom raw_orders\b/);
    expect(spark.stdout).not.toContain('{{');
    expect(template.code).toBe(2);
    expect(template.stderr.trim()).toMatch(
      /^ecomdw: sql\/normalize\/_contract_values\.sql is a template, filled in by the models that name it: render one of them \(normalize\/customers, normalize\/order_items, .*normalize\/shipments\)$/,
    );
    expect(wrongDialect.code).toBe(2);
    expect(wrongDialect.stderr.trim()).toBe(
      "ecomdw: sql/normalize/orders.sql does not render for redshift (macro 'text_of' is not defined for redshift); it renders for duckdb, spark",
    );
    expect(warehouseOnSpark.code).toBe(2);
    expect(warehouseOnSpark.stderr).toMatch(/sql\/known\/orders\.sql does not render for spark .*; it renders for duckdb, redshift$/m);
  });

  it('has --help', async () => {
    // Act
    const help = await ecomdw('sql', '--help');

    // Assess
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--format <format>.*choices: "table", "json", "csv"/s);
    expect(help.stdout).toContain('--render <model>');
    expect(help.stdout).toMatch(/--dialect <dialect>.*"duckdb",\s+"redshift",\s+"spark"/s);
  });
});

describe('ecomdw run and generate', () => {
  it('keep stdout for the JSON document alone with --json, progress on stderr; without it, run hints at its own warehouse', async () => {
    // Prepare
    const lake = path.join(dir, 'json', 'lake');
    const warehouse = path.join(dir, 'json', 'w.duckdb');

    // Act
    const generated = await ecomdw('generate', '--out', lake, '--scale', '0.005', '--days', '2', '--json');
    const text = await ecomdw('run', '--lake', lake, '--db', warehouse, '--batch', day(2));
    const json = await ecomdw('run', '--lake', lake, '--db', warehouse, '--json');

    // Assess
    expect(generated.code, generated.stderr).toBe(0);
    expect((JSON.parse(generated.stdout) as { batches: string[] }).batches).toEqual([day(2), day(1)]);
    expect(generated.stderr).toMatch(/^ {2}orders: \d+ rows in \d+ files/m);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`ecomdw sql "select * from dw.fact_order_items limit 10" --db ${warehouse}`);
    expect(text.stdout).toContain(`ecomdw report --db ${warehouse}`);
    expect(text.stdout).toMatch(/^tests that warned/m);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { batches: { batchId: string }[] }).batches.map((b) => b.batchId)).toEqual([day(1)]);
    expect(json.stderr).toMatch(/^ecomdw run: lake /m);
    expect(json.stderr).toMatch(/^ {2}\[\S+\] BuildFacts\s+[\d.]+ s\s+\d+ fact rows upserted$/m);
    expect(json.stderr).toMatch(new RegExp(`^batch ${day(1)} done in`, 'm'));
  });
});
