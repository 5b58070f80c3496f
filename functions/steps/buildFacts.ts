import { sqlStatements } from '../shared/sql/files.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';
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
  'facts/fact_order_fulfillment.sql',
] as const;

export interface BuildFactsResult {
  readonly factRowsUpserted: number;
  readonly metrics: StepMetric[];
}

/** Step 5: latest records, then fact_order_items, fact_payments and fact_order_fulfillment for the affected orders, in one transaction. */
export async function buildFacts(context: StepContext, batch: BatchRef): Promise<BuildFactsResult> {
  const { engine } = context;
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await engine.transaction(FACT_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  const metrics = await recordedMetrics(engine, batch, 'BuildFacts');
  return { factRowsUpserted: totalOf(metrics, 'FactRowsUpserted'), metrics };
}
