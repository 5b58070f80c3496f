import { DIMENSION_FIGURES_FILE, DIMENSION_FILES } from '../pipelineManifest.js';
import { sqlStatements } from '../sql/files.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';
import { ensureStaged } from './loadStaging.js';
import { queryFigures, totalOf } from './stepMetrics.js';

export interface BuildDimensionsResult {
  readonly versionsCreated: number;
  /** VersionsCreated per dimension table, for the metrics recorder. */
  readonly metrics: StepMetric[];
}

/** Step 4: SCD2 upserts of dim_customers and dim_products, and new vocabulary members, in one transaction. */
export async function buildDimensions(context: StepContext, batch: BatchRef): Promise<BuildDimensionsResult> {
  const { engine } = context;
  await ensureStaged(context, batch);
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await engine.transaction(DIMENSION_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  // Read from the batch's durable hand-over (every attempt's versions): a re-run reports the same figures.
  const metrics = await queryFigures(engine, DIMENSION_FIGURES_FILE, batch);
  return { versionsCreated: totalOf(metrics, 'VersionsCreated'), metrics };
}
