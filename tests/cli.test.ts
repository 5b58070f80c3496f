import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../cli/main.js';
import { tempDir, writeRaw } from './helpers/tempLake.js';

let dir: string;
let cleanup: () => void;
let stderr: string;
let stdout: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  process.exitCode = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
  cleanup();
});

const db = () => path.join(dir, 'w.duckdb');

describe('The ecomdw command line', () => {
  it('says when the lake folder is missing, in one line, with exit code 2', async () => {
    // Act
    const code = await main(['run', '--lake', path.join(dir, 'nope'), '--db', db()]);
    // Assess
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([`ecomdw: lake folder not found: ${path.join(dir, 'nope')}`]);
  });

  it('says when the lake holds no batches', async () => {
    // Prepare
    mkdirSync(path.join(dir, 'lake', 'raw'), { recursive: true });
    // Act
    const code = await main(['run', '--lake', path.join(dir, 'lake'), '--db', db()]);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ecomdw: no batches in .*raw/);
  });

  it('rejects an invalid batch id given as a flag', async () => {
    // Act
    const code = await main(['run', '--lake', dir, '--db', db(), '--batch', 'bad id!']);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid batch id 'bad id!'/);
  });

  it('rejects an invalid batch folder in the lake, naming it', async () => {
    // Prepare
    writeRaw(path.join(dir, 'lake'), 'orders', 'bad id!', 'o.csv', 'order_id\n');
    // Act
    const code = await main(['run', '--lake', path.join(dir, 'lake'), '--db', db()]);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid batch folder 'batch_id=bad id!'/);
  });

  it('refuses --force without --batch', async () => {
    // Act
    const code = await main(['run', '--lake', dir, '--db', db(), '--force']);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(/--force re-runs one batch/);
  });

  it.each([
    [['generate', '--out', 'x', '--scale', 'abc'], /expected a number > 0, got 'abc'/],
    [['generate', '--out', 'x', '--days', '1.5'], /expected a whole number, got '1.5'/],
    [['generate', '--out', 'x', '--days', '0'], /days must be an integer from 1 to 366/],
    [['generate', '--out', 'x', '--format', 'xml'], /format must be one of csv, jsonl, parquet, mixed/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['run', '--lake', 'x', '--memory-limit', 'lots'], /--memory-limit must be a size such as 512MB, 3GB or 2.5GiB, got 'lots'/],
    [['validate', '--lake', 'x', '--memory-limit', '3 apples'], /--memory-limit must be a size/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('rejects bad flag values: %j', async (args, message) => {
    // Act
    const code = await main(args.map((a) => (a === 'x' ? path.join(dir, 'x') : a)));
    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('gives the warehouse the memory budget asked for, and refuses a bad one from the environment', async () => {
    // Arrange
    const lake = path.join(dir, 'lake');
    writeRaw(lake, 'customers', '2024-01-01', 'part-0.csv', 'customer_id,email,first_name,last_name,city,state,country,segment,updated_at\nC1,a@x,A,B,C,S,BR,retail,2024-01-01T00:00:00Z\n');
    const create = vi.spyOn(DuckDBInstance, 'create');
    // Act
    const code = await main(['run', '--lake', lake, '--db', db(), '--memory-limit', '256MB']);
    vi.stubEnv('ECOMDW_MEMORY_LIMIT', 'plenty');
    const badEnv = await main(['run', '--lake', lake, '--db', db()]);
    // Assess
    expect(code).toBe(0);
    const warehouseOpens = create.mock.calls.filter(([file]) => file === db());
    expect(warehouseOpens).toHaveLength(1);
    expect(warehouseOpens[0]?.[1]).toMatchObject({ memory_limit: '256MB' });
    expect(badEnv).toBe(2);
    expect(stderr).toMatch(/ECOMDW_MEMORY_LIMIT must be a size such as 512MB, 3GB or 2.5GiB, got 'plenty'/);
  });

  it('prints help with exit code 0', async () => {
    // Act
    const code = await main(['run', '--help']);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/--batch <id>/);
  });

  it('says the warehouse is locked when another process holds it', async () => {
    // Prepare: a second process opens the database file and keeps it.
    writeRaw(path.join(dir, 'lake'), 'orders', 'b1', 'o.csv', 'order_id,customer_id,order_ts,updated_at\no1,c1,2024-01-01,2024-01-01\n');
    const holder: ChildProcess = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require('@duckdb/node-api');
      DuckDBInstance.create(${JSON.stringify(db())}).then(() => { process.stdout.write('ready\\n'); setInterval(() => {}, 1000); });
    `], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout?.on('data', () => resolve()));
    try {
      // Act
      const code = await main(['run', '--lake', path.join(dir, 'lake'), '--db', db()]);
      // Assess
      expect(code).toBe(2);
      expect(stderr).toMatch(/is in use by another process/);
    } finally {
      holder.kill();
    }
  });

  it('prints the lineage read from the SQL, facts fed by the history tables and the dimensions', async () => {
    // Act
    const code = await main(['lineage', '--json']);
    // Assess
    expect(code).toBe(0);
    const nodes = JSON.parse(stdout) as { model: string; sources: string[] }[];
    const facts = nodes.find((n) => n.model === 'dw.fact_order_items');
    expect(facts?.sources).toEqual(expect.arrayContaining(['history.orders', 'history.order_items', 'dw.dim_customers', 'dw.dim_products']));
    expect(nodes.find((n) => n.model === 'dw.dim_customers')?.sources).toContain('history.customer_changes');
  });
});

describe('The ecomdw command piped into a reader that stops early', () => {
  // `ecomdw lineage | true`: the reader is gone before the first write, as with `| head -1` on a long report.
  function pipedIntoTrue(args: string): { stderr: string; exit: string } {
    const result = spawnSync('bash', ['-c', `node bin/ecomdw.js ${args} | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: path.resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
    });
    return { stderr: result.stderr, exit: /exit=(\d+)/.exec(result.stderr)?.[1] ?? 'none' };
  }

  it('ends with its own exit code, without a stack trace for the closed pipe', () => {
    // Act
    const lineage = pipedIntoTrue('lineage');
    const usage = pipedIntoTrue('lineage --no-such-flag');

    // Assess
    expect(lineage.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(lineage.exit).toBe('0');
    expect(usage.exit).toBe('2');
  });
});
