import { DIMENSION_FILES } from '../shared/pipelineManifest.js';
import { sqlStatements } from '../shared/sql/files.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';
import { ensureStaged } from './loadStaging.js';
import { recordedMetrics, totalOf } from './stepMetrics.js';

export interface BuildDimensionsResult {
  readonly versionsCreated: number;
  readonly metrics: StepMetric[];
}

/** Step 4: SCD2 upserts of dim_customers and dim_products, and new vocabulary members, in one transaction. */
export async function buildDimensions(context: StepContext, batch: BatchRef): Promise<BuildDimensionsResult> {
  const { engine } = context;
  await ensureStaged(context, batch);
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await engine.transaction(DIMENSION_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  const metrics = await recordedMetrics(engine, batch, 'BuildDimensions');
  return { versionsCreated: totalOf(metrics, 'VersionsCreated'), metrics };
}
