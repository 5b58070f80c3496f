import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine, type WarehouseDurability } from '../functions/core/engine/duckdbEngine.js';
import { WarehouseStatementError } from '../functions/core/errors.js';
import { runEcomdw } from './helpers/cli.js';
import { commandAndKill, fullDisk } from './helpers/faults.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { diffDw } from './helpers/warehouse.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('ecomdw-durability-'));
});
afterAll(() => cleanup());

/** Runs tests/helpers/commitThenWait.ts on `file` and kills it with SIGKILL once it has committed; tells whether a WAL file existed then. */
function commitThenKill(file: string, durability: WarehouseDurability): Promise<{ walWhileRunning: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/commitThenWait.ts', file, durability], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('committed')) return;
      const walWhileRunning = existsSync(`${file}.wal`);
      child.kill('SIGKILL');
      child.on('close', () => resolve({ walWhileRunning }));
    });
    child.on('close', (code) => {
      if (code !== null) reject(new Error(`the child ended by itself (exit ${code}): ${stderr}`));
    });
  });
}

describe("A warehouse with 'checkpoint' durability (the demo's)", () => {
  it('loses what was committed after its last checkpoint when its process is killed, and opens whole at that checkpoint', async () => {
    // Prepare
    const file = path.join(dir, 'killed-checkpoint.duckdb');

    // Act
    const { walWhileRunning } = await commitThenKill(file, 'checkpoint');

    // Assess
    expect(walWhileRunning).toBe(false);
    expect(await queryDuckDb(file, 'select n from kept order by n')).toEqual([{ n: 1 }]);
    expect(await queryDuckDb(file, `select count(*)::integer as n from information_schema.tables where table_name = 'after_checkpoint'`)).toEqual([{ n: 0 }]);
  });

  it("keeps everything committed when the process is killed, with 'commit' durability (the default)", async () => {
    // Prepare
    const file = path.join(dir, 'killed-commit.duckdb');

    // Act
    const { walWhileRunning } = await commitThenKill(file, 'commit');

    // Assess
    expect(walWhileRunning).toBe(true);
    expect(await queryDuckDb(file, 'select n from kept order by n')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await queryDuckDb(file, 'select n from after_checkpoint')).toEqual([{ n: 1 }]);
  }, 30_000);

  it('writes every commit into the file when it closes, and no WAL', async () => {
    // Prepare
    const file = path.join(dir, 'closed.duckdb');
    const engine = await DuckDbEngine.open({ path: file, lakeRoot: dir, durability: 'checkpoint' });
    await engine.transaction([{ sql: 'create schema dw' }, { sql: 'create table dw.t as select range as n from range(1000)' }]);
    await engine.transaction([{ sql: 'delete from dw.t where n >= 10' }]);

    // Act
    await engine.close();

    // Assess
    expect(existsSync(`${file}.wal`)).toBe(false);
    expect(await queryDuckDb(file, 'select count(*)::integer as n, sum(n)::integer as total from dw.t')).toEqual([{ n: 10, total: 45 }]);
  });
});

describe("A 'checkpoint' warehouse on a full disk", () => {
  const mount = fullDisk('ecomdw-durability-full');

  it('fails to close with the cause, since its checkpoint is the only copy of the data', async () => {
    // Prepare: ~64 MB committed in transactions of under a row group each (DuckDB writes a
    // larger insert to the file as it goes), which without a WAL write nothing to disk
    const engine = await DuckDbEngine.open({ path: path.join(mount, 'w.duckdb'), lakeRoot: dir, durability: 'checkpoint' });
    await engine.transaction([{ sql: 'create table t (s varchar)' }]);
    for (let i = 0; i < 10; i += 1) {
      await engine.transaction([{ sql: `insert into t select md5(range::varchar) || md5((range + ${i})::varchar) from range(${i * 100_000}, ${(i + 1) * 100_000})` }]);
    }

    // Act
    const closing = engine.close();

    // Assess
    await expect(closing).rejects.toThrow(WarehouseStatementError);
    await expect(closing).rejects.toThrow(/checkpoint on close.*No space left on device/s);
  }, 60_000);
});

describe('The demo killed mid-run', () => {
  it('leaves a warehouse that `ecomdw run` completes into the same warehouse as a whole demo', async () => {
    // Prepare: a whole demo, and one killed once its first batch is done
    const whole = path.join(dir, 'whole');
    const killedDir = path.join(dir, 'killed');
    const args = ['--scale', '0.01', '--days', '3'];
    expect((await runEcomdw(['demo', '--dir', whole, ...args])).code).toBe(0);
    const killed = await commandAndKill(['demo', '--dir', killedDir, ...args], /^batch \S+ done/);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const lake = path.join(killedDir, 'lake');
    const db = path.join(killedDir, 'warehouse.duckdb');
    const walAfterKill = existsSync(`${db}.wal`);

    // Act
    const rerun = await runEcomdw(['run', '--lake', lake, '--db', db]);

    // Assess: the killed demo had written no WAL to replay; the run loaded every batch
    expect(walAfterKill).toBe(false);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await queryDuckDb(db, 'select count(*)::integer as n from audit.batches')).toEqual([{ n: 3 }]);
    expect(await diffDw(path.join(whole, 'warehouse.duckdb'), db)).toEqual([]);
  }, 120_000);
});
