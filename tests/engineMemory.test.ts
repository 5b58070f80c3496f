import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { runPipeline } from '../functions/local/localRunner.js';
import { generateLake } from '../generator/generateLake.js';
import { tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

// At scale 30 the normalizers (~2.3 GiB) ran beside the warehouse's buffer pool, full
// of the last batch's pages (~3 GiB): a 4.8 GiB peak for a 3 GB budget. Between
// batches the runner now has the warehouse hand its cache back.
describe('A DuckDB warehouse releasing its memory', () => {
  let dir: string;
  let cleanup: () => void;
  let engine: DuckDbEngine;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-memory-'));
    engine = await DuckDbEngine.open({ path: path.join(dir, 'w.duckdb'), lakeRoot: dir, memoryLimit: '1GB' });
    await engine.transaction([{ sql: `create table big as select 'order-' || range as id, range % 97 as n from range(2000000)` }]);
    await engine.query({ sql: 'checkpoint' });
  });
  afterAll(async () => {
    await engine.close();
    cleanup();
  });

  const used = async (): Promise<number> =>
    Number((await engine.query({ sql: `select sum(memory_usage_bytes) as bytes from duckdb_memory()` }))[0]?.bytes);

  it('gives back its cached pages and idle temp tables, keeps its budget, and reads the same data after', async () => {
    // Prepare: the table read in full (cached), and a temp table a step left
    const sumBefore = await engine.query({ sql: `select sum(n) as total, count(distinct id) as ids from big` });
    await engine.transaction([{ sql: `create temp table tmp_left_by_a_step as select * from big where n < 50` }]);
    const budget = await engine.query({ sql: `select current_setting('memory_limit') as budget` });
    const before = await used();

    // Act
    await engine.releaseMemory();

    // Assess
    const after = await used();
    expect(before).toBeGreaterThan(32 * 1024 * 1024);
    expect(after).toBeLessThan(before / 2);
    expect(await engine.query({ sql: `select cast(count(*) as integer) as n from duckdb_tables() where temporary` })).toEqual([{ n: 0 }]);
    expect(await engine.query({ sql: `select current_setting('memory_limit') as budget` })).toEqual(budget);
    expect(await engine.query({ sql: `select sum(n) as total, count(distinct id) as ids from big` })).toEqual(sumBefore);
  });
});

describe('The local runner between batches', () => {
  let dir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-memory-run-'));
    await generateLake({ out: path.join(dir, 'lake'), scale: 0.01, days: 2, seed: 3, format: 'csv', startDate: '2024-02-01' });
  });
  afterAll(() => cleanup());

  it('has the warehouse release its memory before each batch is normalized', async () => {
    // Prepare: the order of the releases and the normalizers' starts
    const engine = await DuckDbEngine.open({ path: path.join(dir, 'w.duckdb'), lakeRoot: path.join(dir, 'lake') });
    const order: string[] = [];
    const release = engine.releaseMemory.bind(engine);
    vi.spyOn(engine, 'releaseMemory').mockImplementation(async () => {
      order.push('release');
      await release();
    });

    // Act
    const summary = await runPipeline({
      lakeDir: path.join(dir, 'lake'),
      dbPath: path.join(dir, 'w.duckdb'),
      engine,
      config: TEST_CONFIG,
      onEvent: (event) => {
        if (event.type === 'step-started' && event.step === 'NormalizeTable' && order.at(-1) !== 'normalize') order.push('normalize');
      },
    });
    await engine.close();

    // Assess
    expect(summary.failure).toBeNull();
    expect(summary.batches).toHaveLength(2);
    expect(order).toEqual(['release', 'normalize', 'release', 'normalize']);
  });
});
