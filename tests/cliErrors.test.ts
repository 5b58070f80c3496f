import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { main } from '../cli/main.js';
import { writeCrashLake } from './helpers/crashLake.js';
import { fullDisk } from './helpers/faults.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;

let dir = '';
let cleanup: () => void = () => undefined;
let lake = '';
let stderr = '';
let stdout = '';

beforeEach(() => {
  ({ dir, cleanup } = tempDir('ecomdw-errors-'));
  lake = path.join(dir, 'lake');
  writeCrashLake(lake);
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  process.exitCode = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  cleanup();
});

describe('Exit codes', () => {
  it('is 1, not 2, when a warehouse statement fails during validate', async () => {
    // Prepare: a warehouse whose fact table lost a column the tests read.
    const db = path.join(dir, 'w.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: db, config });
    await queryDuckDb(db, 'alter table dw.fact_order_items drop column gross_revenue');

    // Act
    const code = await main(['validate', '--lake', lake, '--db', db]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(/^ecomdw: warehouse statement failed \(.*\): .*gross_revenue/m);
  });

  it.each(['validate'])('refuses `%s --db <typo>`: exit 2, nothing created', async (command) => {
    // Prepare
    const typo = path.join(dir, 'warehuose.duckdb');

    // Act
    const code = await main([command, '--lake', lake, '--db', typo]);

    // Assess
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`ecomdw: no warehouse at ${typo} (run \`ecomdw run\` to build one, or check --db / ECOMDW_DB)`);
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(`${typo}.wal`)).toBe(false);
  });

  it('is 2 for a database that is no warehouse, and leaves it as it was', async () => {
    // Prepare
    const other = path.join(dir, 'other.duckdb');
    await queryDuckDb(other, 'create table notes (n integer)');

    // Act
    const code = await main(['validate', '--lake', lake, '--db', other]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(/holds no processed batch yet/);
    expect(await queryDuckDb(other, `select table_schema, table_name from information_schema.tables order by all`)).toEqual([{ table_schema: 'main', table_name: 'notes' }]);
  });
});

describe('A warehouse on a full disk', () => {
  const mount = fullDisk('ecomdw-full-disk');

  it('fails the run with the cause (no space left), not with a rollback that found no transaction', async () => {
    // Prepare: a generated lake whose warehouse outgrows the disk.
    const { generateLake } = await import('../generator/generateLake.js');
    const big = path.join(dir, 'big-lake');
    await generateLake({ out: big, scale: 0.2, days: 3, seed: 7, format: 'csv', startDate: '2024-01-01' });
    const db = path.join(mount, 'w.duckdb');

    // Act
    const code = await main(['run', '--lake', big, '--db', db]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toMatch(/run FAILED: WarehouseStatementError: .*No space left on device/);
    expect(stdout + stderr).not.toMatch(/cannot rollback/);
  });
});
