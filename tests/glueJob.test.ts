import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SparkSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, SOURCE_TABLES } from '../functions/shared/contract.js';
import { LocalLake } from '../functions/shared/lake/localLake.js';
import type { NormalizeManifest } from '../functions/shared/lake/manifest.js';
import { readSqlFile, SQL_ROOT } from '../functions/shared/sql/files.js';
import { renderSql } from '../functions/shared/sql/render.js';
import { normalizeTable } from '../functions/steps/normalizeTable.js';
import { tempDir, writeRaw } from './helpers/tempLake.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = path.join(REPO, 'functions/glue/normalize_job.py');

/** Runs Python code with the job script importable (its Spark and Glue imports are inside functions), returning its JSON output. */
function python<T>(code: string): T {
  const out = execFileSync('python3', ['-c', `import json, sys\nsys.path.insert(0, ${JSON.stringify(path.dirname(SCRIPT))})\nimport normalize_job as job\n${code}`], {
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

  it('knows the same source contract as functions/shared/contract.ts, column order included', () => {
    // Act
    const contract = python<Record<string, [string, boolean][]>>('print(json.dumps(job.CONTRACT))');

    // Assess
    expect(Object.keys(contract)).toEqual([...SOURCE_TABLES]);
    for (const table of SOURCE_TABLES) expect(contract[table], table).toEqual(CONTRACT[table].columns.map((c) => [c.name, c.required]));
  });

  it('names its lake folders as the lake layout does, and refuses a bad batch id', () => {
    // Act
    const result = python<{ prefix: string; bad: string }>(`
try:
    job.batch_prefix("quarantine", "orders", "../x")
    bad = "accepted"
except ValueError as error:
    bad = str(error)
print(json.dumps({"prefix": job.batch_prefix("silver", "order_items", "2024-01-02"), "bad": bad}))`);

    // Assess
    expect(result.prefix).toBe('silver/order_items/batch_id=2024-01-02');
    expect(result.bad).toMatch(/^invalid batch id '\.\.\/x'/);
  });
});

describe('The Glue job against the local normalizer, on the same raw files', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: LocalLake;
  let local: NormalizeManifest;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-glue-'));
    const root = path.join(dir, 'lake');
    // Mixed-case and padded names, an extra column, a missing optional one, a bad row;
    // a file without a required column; JSON lines with a duplicate column (JSON keys are
    // listed sorted, so Order_Id comes first); a file of another type.
    writeRaw(root, 'orders', 'b1', 'a.csv', 'Order_ID, CUSTOMER_ID ,order_ts,updated_at,coupon\no1,c1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,X\no2,c1,not a time,2024-01-01T10:00:00Z,\n');
    writeRaw(root, 'orders', 'b1', 'b.csv', 'order_id,order_ts,updated_at\no3,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z\n');
    writeRaw(root, 'orders', 'b1', 'c.jsonl', '{"order_id":"o4","Order_Id":"o4","customer_id":"c1"}\n');
    writeRaw(root, 'orders', 'b1', 'd.txt', 'hello\n');
    lake = new LocalLake(root);
    local = await normalizeTable(lake, { table: 'orders', batchId: 'b1' });
  });
  afterAll(() => cleanup());

  it('plans columns as the local normalizer reported them: extra and missing optional columns, missing required ones', () => {
    // Prepare
    const headers = { 'a.csv': ['Order_ID', ' CUSTOMER_ID ', 'order_ts', 'updated_at', 'coupon'], 'b.csv': ['order_id', 'order_ts', 'updated_at'] };

    // Act
    const plans = python<Record<string, { extra: string[]; missing_optional: string[]; missing_required: string[] }>>(
      `print(json.dumps({name: job.plan_columns("orders", header) for name, header in ${JSON.stringify(headers)}.items()}))`,
    );

    // Assess
    const report = (name: string) => local.files.find((f) => f.file.endsWith(`/${name}`));
    expect(plans['a.csv']!.extra).toEqual(report('a.csv')?.extraColumns);
    expect(plans['a.csv']!.missing_optional).toEqual(report('a.csv')?.missingOptionalColumns);
    expect(plans['b.csv']!.missing_optional).toEqual(report('b.csv')?.missingOptionalColumns);
    expect(python<string | null>(`print(json.dumps(job.missing_columns_error(${JSON.stringify(plans['b.csv']!.missing_required)})))`)).toBe(
      report('b.csv')?.fileError,
    );
  });

  it('words whole-file rejections as the local normalizer does', () => {
    // Act
    const reasons = python<{ duplicate: string; unsupported: string; format: string }>(`
try:
    job.plan_columns("orders", ["Order_Id", "customer_id", "order_id"])
except job.DuplicateColumnError as error:
    duplicate = job.malformed_file_error("jsonl", error, "s3://lake/raw/orders/batch_id=b1/c.jsonl", "c.jsonl")
print(json.dumps({"duplicate": duplicate, "unsupported": job.unsupported_file_error("d.txt"), "format": job.format_of("d.txt")}))`);

    // Assess
    const report = (name: string) => local.files.find((f) => f.file.endsWith(`/${name}`));
    expect(reasons.duplicate).toBe(report('c.jsonl')?.fileError);
    expect(reasons.unsupported).toBe(report('d.txt')?.fileError);
    expect(reasons.format).toBe(report('d.txt')?.format);
  });

  it('writes a manifest with the NormalizeManifest shape and the local counting rules', () => {
    // Prepare: the file reports before counting, the per-file counts and totals the local run found.
    const reports = local.files.map((f) => ({ ...f, silverRows: 0, quarantinedRows: 0 }));
    const counts = Object.fromEntries(local.files.filter((f) => f.fileError === null).map((f) => [f.file, [f.silverRows, f.quarantinedRows]]));

    // Act
    const args = ['orders', 'b1', reports, counts, local.silverRows, local.quarantinedRows, local.rejectReasons, local.normalizedAt];
    const manifest = python<NormalizeManifest>(`print(json.dumps(job.build_manifest(*json.loads(${JSON.stringify(JSON.stringify(args))}))))`);

    // Assess
    expect(manifest).toEqual(local);
    expect(Object.keys(manifest)).toEqual(Object.keys(local));
    expect(Object.keys(manifest.files[0]!)).toEqual(Object.keys(local.files[0]!));
  });

  it('stamps normalizedAt as JavaScript\'s toISOString does', () => {
    // Act
    const stamp = python<string>('print(json.dumps(job.iso_now()))');

    // Assess
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(stamp).toISOString()).toBe(stamp);
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
