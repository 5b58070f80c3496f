import { FACT_DAY_FILES, FACT_FIGURES_FILE, FACT_FILES } from '../pipelineManifest.js';
import { sqlStatements } from '../sql/files.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';
import { ensureStaged } from './loadStaging.js';
import { queryFigures, totalOf } from './stepMetrics.js';

export interface BuildFactsResult {
  readonly factRowsUpserted: number;
  /** FactRowsUpserted per fact table, for the metrics recorder. */
  readonly metrics: StepMetric[];
}

/** Step 5: latest records, then fact_order_items and fact_payments for the affected orders; then fact_order_fulfillment and the dim_date rows of their days. */
export async function buildFacts(context: StepContext, batch: BatchRef): Promise<BuildFactsResult> {
  const { engine } = context;
  await ensureStaged(context, batch);
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await engine.transaction(FACT_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  await engine.transaction(FACT_DAY_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  // Read from the batch's durable affected orders (every attempt's): a re-run reports the same figures.
  const metrics = await queryFigures(engine, FACT_FIGURES_FILE, batch);
  return { factRowsUpserted: totalOf(metrics, 'FactRowsUpserted'), metrics };
}
