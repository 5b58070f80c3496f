import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SparkSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../generator/generateLake.js';
import {
  columnNames,
  planColumns,
  RAW_FILE_RULES,
  rawFileType,
  requiredColumns,
  SOURCE_TABLES,
  unsupportedFileError,
  type SourceTable,
} from '../functions/core/contract.js';
import { batchPrefix } from '../functions/core/lake/layout.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import type { NormalizeManifest } from '../functions/core/lake/manifest.js';
import { readSqlFile, SQL_ROOT } from '../functions/core/sql/files.js';
import { renderSql } from '../functions/core/sql/render.js';
import { isSqlTemplate } from '../functions/core/sql/templates.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { CORPUS_BATCH, CORPUS_TABLES, EXPECTED, writeCorpus, type Expectation } from './glue/corpus.js';
import { LocalGlue } from './helpers/localGlue.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = path.join(REPO, 'functions/glue/normalize_job.py');

const CONTRACT_FILE = path.join(REPO, 'functions/core/contract.json');

/** Runs Python code with the job script importable (its Spark and Glue imports are inside functions) and `contract` loaded from contract.json, returning its JSON output. */
function python<T>(code: string): T {
  const prelude = `import json, sys\nsys.path.insert(0, ${JSON.stringify(path.dirname(SCRIPT))})\nimport normalize_job as job\ncontract = job.Contract.from_text(open(${JSON.stringify(CONTRACT_FILE)}).read())\n`;
  const out = execFileSync('python3', ['-c', `${prelude}${code}`], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return JSON.parse(out) as T;
}

describe('The Glue normalization job script', () => {
  it('compiles with python3 -m py_compile', () => {
    // Prepare: byte code goes to a temp folder, not next to the script.
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-pycache-'));
    try {
      // Act
      const run = (): Buffer => execFileSync('python3', ['-m', 'py_compile', SCRIPT], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });

      // Assess
      expect(run).not.toThrow();
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('reads the source contract from contract.json, as functions/core/contract.ts does, column order included', () => {
    // Act
    const tables = python<Record<string, { columns: string[]; required: string[] }>>(
      `print(json.dumps({t: {"columns": contract.column_names(t), "required": contract.required_columns(t)} for t in contract.tables}))`,
    );

    // Assess
    expect(Object.keys(tables)).toEqual([...SOURCE_TABLES]);
    for (const table of SOURCE_TABLES) {
      expect(tables[table], table).toEqual({ columns: columnNames(table), required: requiredColumns(table) });
    }
  });

  it('names its lake folders as the lake layout does, and refuses a bad batch id', () => {
    // Act
    const result = python<{ prefix: string; bad: string }>(`
try:
    contract.batch_prefix("quarantine", "orders", "../x")
    bad = "accepted"
except ValueError as error:
    bad = str(error)
print(json.dumps({"prefix": contract.batch_prefix("silver", "order_items", "2024-01-02"), "bad": bad}))`);

    // Assess
    expect(result.prefix).toBe(batchPrefix('silver', 'order_items', '2024-01-02'));
    expect(result.bad).toMatch(/^invalid batch id '\.\.\/x'/);
  });

  it('tells file types apart, and words unsupported ones, as the local normalizer does', () => {
    // Prepare
    const names = ['a.csv', 'a.CSV', 'a.csv.gz', 'a.jsonl.gz', 'a.ndjson', 'a.JSON', 'a.parquet', 'a.parquet.gz', 'a.csv.GZ', 'a.txt', 'noextension', '.csv'];

    // Act
    const python_ = python<[string, [string, boolean] | null, string][]>(
      `print(json.dumps([(n, contract.raw_file_type(n), contract.unsupported_file_error(n)) for n in ${JSON.stringify(names)}]))`,
    );

    // Assess
    expect(python_).toEqual(names.map((n) => [n, ((t) => (t === null ? null : [t.format, t.compressed]))(rawFileType(n)), unsupportedFileError(n)]));
  });

  it('plans columns as the local normalizer does: trimmed, ASCII-lower-cased, duplicates refused', () => {
    // Prepare
    const headers = [['Order_ID', ' CUSTOMER_ID ', 'order_ts', 'updated_at', 'coupon', 'İd'], ['order_id', 'order_ts', 'updated_at']];

    // Act
    const plans = python<{ source: Record<string, string>; extra: string[]; missing_required: string[]; missing_optional: string[] }[]>(
      `print(json.dumps([contract.plan_columns("orders", h) for h in ${JSON.stringify(headers)}]))`,
    );
    const duplicate = python<string>(`
try:
    contract.plan_columns("orders", ["Order_Id", "customer_id", "order_id"])
except job.DuplicateColumnError as error:
    print(json.dumps(str(error)))`);

    // Assess
    for (const [i, header] of headers.entries()) {
      const plan = planColumns('orders', header);
      expect(plans[i]).toEqual({ source: Object.fromEntries(plan.source), extra: plan.extra, missing_required: plan.missingRequired, missing_optional: plan.missingOptional });
    }
    expect(() => planColumns('orders', ['Order_Id', 'customer_id', 'order_id'])).toThrow(duplicate);
  });

  it('writes a manifest with the NormalizeManifest shape and the counting rules of the local normalizer', async () => {
    // Prepare: a local run's file reports before counting, its per-file counts and totals
    const { dir, cleanup } = tempDir('ecomdw-glue-manifest-');
    try {
      writeRaw(dir, 'orders', 'b1', 'a.csv', 'order_id,customer_id,order_ts,updated_at\no1,c1,2024-01-01,2024-01-01\no2,c1,x,2024-01-01\n');
      writeRaw(dir, 'orders', 'b1', 'b.csv', 'order_id,order_ts\no3,2024-01-01\n');
      writeRaw(dir, 'orders', 'b1', 'c.txt', 'hello\n');
      const local = await normalizeTable(new LocalLake(dir), { table: 'orders', batchId: 'b1' });
      const reports = local.files.map((f) => ({ ...f, silverRows: 0, quarantinedRows: 0 }));
      const counts = Object.fromEntries(local.files.filter((f) => f.fileError === null).map((f) => [f.file, [f.silverRows, f.quarantinedRows]]));

      // Act
      const args = ['orders', 'b1', reports, counts, local.silverRows, local.quarantinedRows, local.rejectReasons, local.normalizedAt];
      const manifest = python<NormalizeManifest>(`print(json.dumps(job.build_manifest(*json.loads(${JSON.stringify(JSON.stringify(args))}))))`);

      // Assess
      expect(manifest).toEqual(local);
      expect(Object.keys(manifest)).toEqual(RAW_FILE_RULES.manifestKeys);
      expect(Object.keys(manifest.files[0]!)).toEqual(RAW_FILE_RULES.fileReportKeys);
    } finally {
      cleanup();
    }
  });

  it('stamps normalizedAt as JavaScript\'s toISOString does', () => {
    // Act
    const stamp = python<string>('print(json.dumps(job.iso_now()))');

    // Assess
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(stamp).toISOString()).toBe(stamp);
  });

  it('writes a 32-bit float as DuckDB casts it to text: its shortest digits, laid out as repr() lays out a double', async () => {
    // Prepare
    const floats = [0.1, 16777216, 1e10, 1e-5, 3.4e38, 1.5e-7, -2.5, 123456.789, 0];

    // Act
    const fromPython = python<string[]>(`import struct\nprint(json.dumps([job.float_text(struct.unpack('f', struct.pack('f', v))[0]) for v in ${JSON.stringify(floats)}]))`);
    const fromDuckDb = await queryDuckDb(':memory:', `select cast(v as varchar) as t from (select unnest([${floats.map((f) => `cast(${f} as float)`).join(', ')}]) as v)`);

    // Assess
    expect(fromPython).toEqual(fromDuckDb.map((r) => r.t));
  });
});

/** The comparison's runs: the corpus batch of each corpus table, and two days of a generated lake in mixed formats. */
const GENERATED_BATCHES = ['2024-01-01', '2024-01-02'];
const RUNS: readonly { lake: 'corpus' | 'generated'; table: SourceTable; batchId: string }[] = [
  ...CORPUS_TABLES.map((table) => ({ lake: 'corpus' as const, table, batchId: CORPUS_BATCH })),
  ...GENERATED_BATCHES.flatMap((batchId) => SOURCE_TABLES.map((table) => ({ lake: 'generated' as const, table, batchId }))),
];

describe('The Glue job under a local Spark, against the DuckDB normalizer (issue 14.1)', () => {
  let dir: string;
  let cleanup: () => void;
  const root = (engine: 'duckdb' | 'spark', lake: string): string => path.join(dir, `${lake}-${engine}`);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-glue-spark-'));
    // Prepare: the same raw files twice, one lake folder per engine
    await writeCorpus(root('duckdb', 'corpus'));
    await generateLake({ out: root('duckdb', 'generated'), scale: 0.01, days: GENERATED_BATCHES.length, seed: 11, format: 'mixed', startDate: GENERATED_BATCHES[0] });
    for (const lake of ['corpus', 'generated']) cpSync(path.join(root('duckdb', lake), 'raw'), path.join(root('spark', lake), 'raw'), { recursive: true });

    // Act: DuckDB, then the job's main under Spark, one JVM for every run
    for (const run of RUNS) await normalizeTable(new LocalLake(root('duckdb', run.lake)), { table: run.table, batchId: run.batchId });
    const started = performance.now();
    const glue = await LocalGlue.start(path.join(dir, 'artifacts'));
    const startedSpark = performance.now();
    let cpu = 0;
    try {
      for (const run of RUNS) await glue.run(root('spark', run.lake), run.table, run.batchId);
      cpu = glue.cpuSeconds();
    } finally {
      await glue.close();
    }
    const seconds = (ms: number): string => (ms / 1000).toFixed(1);
    console.log(`Glue job under Spark: ${RUNS.length} runs in ${seconds(performance.now() - startedSpark)} s (Spark start ${seconds(startedSpark - started)} s; ${cpu.toFixed(0)} CPU s in all)`);
  }, 900_000);
  afterAll(() => cleanup());

  const read = (engine: 'duckdb' | 'spark', zone: 'silver' | 'quarantine', run: (typeof RUNS)[number]) =>
    queryDuckDb(':memory:', `select * from read_parquet('${path.join(root(engine, run.lake), batchPrefix(zone, run.table, run.batchId), '*.parquet')}') order by source_file, source_row`);
  // What COPY depends on: physical types and the decimal and timestamp annotations, column by column.
  const layout = (engine: 'duckdb' | 'spark', zone: 'silver' | 'quarantine', run: (typeof RUNS)[number]) =>
    queryDuckDb(':memory:', `select name, type, type_length, scale, precision,
        regexp_extract(coalesce(logical_type, ''), '^(TimestampType\\(isAdjustedToUTC=[^,]*|DecimalType[^)]*)') as annotation
      from parquet_schema('${path.join(root(engine, run.lake), batchPrefix(zone, run.table, run.batchId), '*.parquet')}')
      where name not in ('duckdb_schema', 'spark_schema')`);
  const manifest = (engine: 'duckdb' | 'spark', run: (typeof RUNS)[number]) =>
    ({ ...JSON.parse(readFileSync(path.join(root(engine, run.lake), batchPrefix('silver', run.table, run.batchId), '_manifest.json'), 'utf8')), normalizedAt: null }) as NormalizeManifest;

  it.each(RUNS)('writes the same manifest, silver and quarantine, Parquet layout included: $lake $table $batchId', async (run) => {
    // Assess
    expect(manifest('spark', run)).toEqual(manifest('duckdb', run));
    for (const engine of ['duckdb', 'spark'] as const) {
      expect(Object.keys(manifest(engine, run)), engine).toEqual(RAW_FILE_RULES.manifestKeys);
      for (const file of manifest(engine, run).files) expect(Object.keys(file), `${engine} ${file.file}`).toEqual(RAW_FILE_RULES.fileReportKeys);
    }
    for (const zone of ['silver', 'quarantine'] as const) {
      expect(await read('spark', zone, run), zone).toEqual(await read('duckdb', zone, run));
      expect(await layout('spark', zone, run), `${zone} layout`).toEqual(await layout('duckdb', zone, run));
    }
  });

  it('gives every case of the corpus its expected outcome', async () => {
    // Prepare: each engine's corpus output, by file and row
    const outcomes = new Map<string, { silver?: Record<string, unknown>; reason?: unknown }>();
    for (const engine of ['duckdb', 'spark'] as const) {
      for (const table of CORPUS_TABLES) {
        const run = { lake: 'corpus' as const, table, batchId: CORPUS_BATCH };
        for (const row of await read(engine, 'silver', run)) outcomes.set(`${engine} ${row.source_file} ${row.source_row}`, { silver: row });
        for (const row of await read(engine, 'quarantine', run)) outcomes.set(`${engine} ${row.source_file} ${row.source_row}`, { reason: row.reject_reason });
      }
    }

    for (const expectation of EXPECTED) {
      for (const engine of ['duckdb', 'spark'] as const) {
        // Act
        const file = `${batchPrefix('raw', expectation.table, CORPUS_BATCH)}/${expectation.file}`;
        const found = outcomes.get(`${engine} ${file} ${expectation.row}`) ?? { missing: true };
        // Assess
        const where = `${engine} ${expectation.file} row ${expectation.row}`;
        if (expectation.reason !== undefined) expect(found, where).toEqual({ reason: expectation.reason });
        else expect(found, where).toMatchObject({ silver: expectation.silver });
      }
    }
  });

  it('reads every corpus file, and each corpus manifest counts every row once', () => {
    for (const run of RUNS.filter((r) => r.lake === 'corpus')) {
      // Act
      const found = manifest('duckdb', run);
      // Assess
      expect(found.files.length).toBeGreaterThan(0);
      expect(found.rawRows).toBe(found.silverRows + found.quarantinedRows);
    }
    const files = new Set(RUNS.filter((r) => r.lake === 'corpus').flatMap((run) => manifest('duckdb', run).files.map((f) => f.file.split('/').pop())));
    for (const expectation of EXPECTED) expect(files.has(expectation.file), expectation.file).toBe(true);
  });
});

describe('The normalization SQL the Glue job runs', () => {
  // the models; a template (_*.sql) runs only as filled in by them
  const files = readdirSync(path.join(SQL_ROOT, 'normalize'))
    .filter((f) => f.endsWith('.sql') && !isSqlTemplate(f))
    .sort();

  it('covers every source table', () => {
    // Assess
    expect(files).toEqual(SOURCE_TABLES.map((t) => `${t}.sql`).sort());
  });

  it.each(files)('parses %s, rendered for Spark, with the Spark SQL grammar', (file) => {
    // Prepare
    const sql = renderSql(readSqlFile(`normalize/${file}`), 'spark', `sql/normalize/${file}`);

    // Act
    const errors = new SparkSQL().validate(sql);

    // Assess
    expect(errors).toEqual([]);
    expect(sql).not.toMatch(/\{\{/);
    expect(sql).toMatch(new RegExp(`\\bfrom raw_${file.replace('.sql', '')}\\b`));
  });

  it('refuses what Spark SQL does not accept (the grammar check can fail)', () => {
    // Act
    const errors = new SparkSQL().validate('select source.order_id::varchar from raw_orders as source qualify 1 = 1');

    // Assess
    expect(errors.length).toBeGreaterThan(0);
  });
});
