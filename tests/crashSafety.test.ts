import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import { PIPELINE_STEPS } from '../functions/core/steps/registry.js';
import { writeCrashLake } from './helpers/crashLake.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { diffDw } from './helpers/warehouse.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;

describe('A batch re-run after one of its steps failed', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: string;
  let reference: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-crash-'));
    lake = path.join(dir, 'lake');
    writeCrashLake(lake);
    reference = path.join(dir, 'reference.duckdb');
    const uninterrupted = await runPipeline({ lakeDir: lake, dbPath: reference, config });
    if (uninterrupted.failure !== null) throw new Error(`the uninterrupted run failed: ${uninterrupted.failure.message}`);
  });
  afterAll(() => cleanup());

  it('re-points the facts BuildDimensions changed even though BuildFacts failed after it (a bad row, a crash)', async () => {
    // Prepare
    const db = path.join(dir, 'facts-failed.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });

    // Act: BuildFacts of b2 fails once, after BuildDimensions committed; then a normal run.
    const failed = await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      overrides: {
        BuildFacts: async () => {
          throw new Error('injected: a bad row');
        },
      },
    });
    const rerun = await runPipeline({ lakeDir: lake, dbPath: db, config });

    // Assess
    expect(failed.failure?.message).toMatch(/injected: a bad row/);
    expect(rerun.failure).toBeNull();
    expect(rerun.batches.map((b) => b.batchId)).toEqual(['b2', 'b3']);
    expect(await diffDw(reference, db)).toEqual([]);
  });

  it('reports the versions a batch created even when an earlier attempt created them before failing', async () => {
    // Prepare
    const db = path.join(dir, 'versions.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });

    // Act
    await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      batchId: 'b2',
      overrides: {
        BuildFacts: async () => {
          throw new Error('injected');
        },
      },
    });
    const rerun = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b2' });

    // Assess
    const expected = await queryDuckDb(reference, `select versions_created from audit.runs where batch_id = 'b2'`);
    expect(Number(expected[0]?.versions_created)).toBeGreaterThan(0);
    expect(rerun.batches.map((b) => b.versionsCreated)).toEqual([Number(expected[0]?.versions_created)]);
    expect(await queryDuckDb(db, `select versions_created from audit.runs where batch_id = 'b2'`)).toEqual(expected);
  });

  it('lets BuildFacts run alone again after a later batch replaced the staging tables', async () => {
    // Prepare: b2 fails in BuildFacts; b3 is then run by itself, which loads its own staging.
    const db = path.join(dir, 'alone.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });
    let b2: unknown;
    await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      batchId: 'b2',
      overrides: {
        BuildFacts: async (payload) => {
          b2 = payload;
          throw new Error('injected');
        },
      },
    });
    await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b3' });

    // Act: b2's BuildFacts, BuildMarts, ValidateBatch and MarkBatchDone, each run alone, as a Lambda retry would.
    const engine = await DuckDbEngine.open({ path: db, lakeRoot: lake });
    try {
      const context = { engine, lake: new LocalLake(lake), config };
      const facts = await PIPELINE_STEPS.BuildFacts(context, b2);
      await PIPELINE_STEPS.BuildMarts(context, b2);
      const validation = await PIPELINE_STEPS.ValidateBatch(context, b2);
      await PIPELINE_STEPS.MarkBatchDone(context, { ...(b2 as object), versionsCreated: 0, factRowsUpserted: facts.factRowsUpserted, testsPassed: validation.passed, testsWarned: validation.warned, testsFailed: validation.failed });
    } finally {
      await engine.close();
    }

    // Assess
    expect(await diffDw(reference, db)).toEqual([]);
  });
});
