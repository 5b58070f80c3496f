import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicateHistory } from '../bench/replicate.js';
import { generateLake } from '../generator/generateLake.js';
import { runPipeline } from '../functions/local/localRunner.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

// The bench measures a batch on histories made larger by cold copies of the warehouse
// (bench/replicate.ts): the copies must leave it as consistent as a real history of
// that size, or the batch's data tests fail and the measurement with them.
describe('A history made larger by cold copies (bench/replicate.ts)', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: string;
  let batches: string[];

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-replicate-'));
    lake = path.join(dir, 'lake');
    ({ batches } = await generateLake({ out: lake, scale: 0.02, days: 3, seed: 7, format: 'mixed' }));
  }, 60_000);
  afterAll(() => cleanup());

  it('takes the next batch with every data test passing, and its published daily figures equal the facts', async () => {
    // Prepare: the first two batches, then two cold copies of everything they left
    const db = path.join(dir, 'history-3x.duckdb');
    for (const batchId of batches.slice(0, -1)) {
      const before = await runPipeline({ lakeDir: lake, dbPath: db, batchId, config: TEST_CONFIG });
      expect(before.failure).toBeNull();
    }
    await replicateHistory(db, 2);

    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, batchId: batches.at(-1) as string, config: TEST_CONFIG });

    // Assess
    expect(summary.failure?.message ?? null).toBeNull();
    const published = await queryDuckDb(
      db,
      `select figures.business_date, figures.figure_value, facts.revenue
       from known.daily_figures as figures
       left join (
           select cast(order_ts as date) as business_date,
               sum(case when coalesce(order_status, '') in ('cancelled', 'returned') then 0 else net_revenue end) as revenue
           from dw.fact_order_items group by all
       ) as facts on facts.business_date = figures.business_date
       where figures.known_to is null and figures.measure = 'revenue' and figures.slice_kind = 'total'
           and figures.figure_value <> coalesce(facts.revenue, 0)`,
    );
    expect(published).toEqual([]);
  }, 120_000);
});
