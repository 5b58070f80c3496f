import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { martsShare, type ScaleResult } from '../bench/report.js';
import type { BatchTiming, PipelineResult } from '../bench/scenario.js';
import { isReportingLayerTest } from '../functions/core/steps/dataTests.js';
import { runPipeline } from '../functions/local/localRunner.js';
import { generateLake } from '../generator/generateLake.js';
import { tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

// The bench's "marts add under 15 %" counts BuildMarts and the data tests a batch
// runs only because BuildMarts wrote the reporting layer (bench/scenario.ts times
// them through the engine's statement observer).
describe('What the marts cost a batch', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-marts-cost-'));
    lake = path.join(dir, 'lake');
    await generateLake({ out: lake, scale: 0.02, days: 2, seed: 11, format: 'mixed' });
  }, 60_000);
  afterAll(() => cleanup());

  it("tells an observer each warehouse statement's label and time, the reporting layer's tests among them", async () => {
    // Prepare
    const seen: { label: string; ms: number }[] = [];

    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: path.join(dir, 'w.duckdb'), config: TEST_CONFIG, tuning: { onStatement: (label, ms) => seen.push({ label, ms }) } });

    // Assess
    expect(summary.failure).toBeNull();
    const reporting = new Set(seen.map((s) => s.label).filter(isReportingLayerTest));
    expect([...reporting].sort()).toEqual(['known.daily_figures.reconciliation', 'known.orders.reconciliation', 'known.payments.reconciliation', 'mart.sales.reconciliation']);
    expect(seen.map((s) => s.label)).toContain('known/orders.sql#2');
    expect(seen.every((s) => Number.isFinite(s.ms) && s.ms >= 0)).toBe(true);
    expect(isReportingLayerTest('fact_order_items.unique')).toBe(false);
  });

  it("adds the reporting layer's tests to BuildMarts when they were timed, and says so when they were not", () => {
    // Prepare: a one-day batch of 36 s, BuildMarts 6 s of it, the reporting layer's tests 1.5 s
    const batch = (reportingTestMs?: number): BatchTiming => ({
      batchId: 'b7',
      seconds: 36,
      rawRows: 1,
      stagedRows: 1,
      versionsCreated: 0,
      factRowsUpserted: 0,
      stepMs: { BuildMarts: 6000, ValidateBatch: 4000 },
      ...(reportingTestMs === undefined ? {} : { reportingTestMs }),
    });
    const scale = (reportingTestMs?: number) =>
      ({ costGrowth: [{ factor: 1, median: { seconds: 36, batches: [batch(reportingTestMs)] } as unknown as PipelineResult }] }) as unknown as ScaleResult;

    // Act
    const timed = martsShare(scale(1500));
    const untimed = martsShare(scale());

    // Assess: 6 / 30 alone; (6 + 1.5) / (30 - 1.5) with the tests
    expect(timed?.share).toBeCloseTo(0.2, 10);
    expect(timed?.withTests?.testsSeconds).toBe(1.5);
    expect(timed?.withTests?.share).toBeCloseTo(7.5 / 28.5, 10);
    expect(untimed?.share).toBeCloseTo(0.2, 10);
    expect(untimed?.withTests).toBeNull();
  });
});
