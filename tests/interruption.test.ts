import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../cli/localRunner.js';
import { parseFreshness, type PipelineConfig } from '../functions/shared/config.js';
import { writeCrashLake } from './helpers/crashLake.js';
import { tempDir } from './helpers/tempLake.js';

const config: PipelineConfig = { environment: 'test', freshness: parseFreshness(undefined) };

let dir = '';
let cleanup: () => void = () => undefined;
let lake = '';
let db = '';

beforeEach(() => {
  ({ dir, cleanup } = tempDir('ecomdw-interrupt-'));
  lake = path.join(dir, 'lake');
  db = path.join(dir, 'warehouse.duckdb');
  writeCrashLake(lake);
});
afterEach(() => cleanup());

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid ?? 0;
}

/** A folder as the normalizer writes it before swapping it in, with a file in it. */
function leftover(zone: string, pid: number): string {
  const folder = path.join(lake, zone, 'orders', `batch_id=b1.tmp-${pid}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'part-0.parquet'), 'half written');
  return folder;
}

describe('Folders a killed normalization left in the lake', () => {
  it('are removed by the next run when their process is gone, and kept while it lives', async () => {
    // Prepare: one left by a dead process, one by a live one (another run normalizing into this lake).
    const dead = await deadPid();
    const abandoned = [leftover('silver', dead), leftover('quarantine', dead)];
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const inUse = leftover('silver', alive.pid ?? 0);

      // Act
      const summary = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });

      // Assess
      expect(summary.failure).toBeNull();
      expect(abandoned.filter(existsSync)).toEqual([]);
      expect([...summary.removedLeftovers].sort()).toEqual([`quarantine/orders/batch_id=b1.tmp-${dead}`, `silver/orders/batch_id=b1.tmp-${dead}`]);
      expect(existsSync(inUse)).toBe(true);
    } finally {
      alive.kill();
    }
  });
});
