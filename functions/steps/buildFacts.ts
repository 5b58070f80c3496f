import { sqlStatements } from '../shared/sql/files.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';
import { ensureStaged } from './loadStaging.js';
import { recordedMetrics, totalOf } from './stepMetrics.js';

/** The SQL files of step 5, in order: latest records first, then the facts they feed. */
export const FACT_FILES = [
  'history/orders.sql',
  'history/order_items.sql',
  'history/payments.sql',
  'history/shipments.sql',
  'history/waiting_rows.sql',
  'facts/affected_orders.sql',
  'facts/fact_order_items.sql',
  'facts/fact_payments.sql',
  'facts/fact_metrics.sql',
] as const;

/**
 * The order lifecycle fact and the dim_date rows for the days the batch's facts
 * carry: a second transaction (the Data API caps one at 40 statements), idempotent
 * and read from durable state (history.batch_affected_orders), so a crash between
 * the two is repaired by running the step again.
 */
export const FACT_DAY_FILES = ['facts/fact_order_fulfillment.sql', 'facts/fact_days.sql', 'dimensions/dim_date.sql'] as const;

export interface BuildFactsResult {
  readonly factRowsUpserted: number;
  readonly metrics: StepMetric[];
}

/** Step 5: latest records, then fact_order_items and fact_payments for the affected orders; then fact_order_fulfillment and the dim_date rows of their days. */
export async function buildFacts(context: StepContext, batch: BatchRef): Promise<BuildFactsResult> {
  const { engine } = context;
  await ensureStaged(context, batch);
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await engine.transaction(FACT_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  await engine.transaction(FACT_DAY_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  const metrics = await recordedMetrics(engine, batch, 'BuildFacts');
  return { factRowsUpserted: totalOf(metrics, 'FactRowsUpserted'), metrics };
}
