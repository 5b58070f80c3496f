import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SparkSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnNames, planColumns, RAW_FILE_RULES, rawFileType, requiredColumns, SOURCE_TABLES, unsupportedFileError } from '../functions/shared/contract.js';
import { batchPrefix } from '../functions/shared/lake/layout.js';
import { LocalLake } from '../functions/shared/lake/localLake.js';
import type { NormalizeManifest } from '../functions/shared/lake/manifest.js';
import { readSqlFile, SQL_ROOT } from '../functions/shared/sql/files.js';
import { renderSql } from '../functions/shared/sql/render.js';
import { normalizeTable } from '../functions/steps/normalizeTable.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = path.join(REPO, 'functions/glue/normalize_job.py');

const CONTRACT_FILE = path.join(REPO, 'functions/shared/contract.json');

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

  it('reads the source contract from contract.json, as functions/shared/contract.ts does, column order included', () => {
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

describe('The normalization SQL the Glue job runs', () => {
  const files = readdirSync(path.join(SQL_ROOT, 'normalize')).filter((f) => f.endsWith('.sql')).sort();

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
