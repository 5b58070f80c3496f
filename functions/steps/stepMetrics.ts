import type { WarehouseEngine } from '../shared/engine/types.js';
import type { BatchRef, StepMetric } from './context.js';

/** Reads back the metrics a step's SQL recorded in audit.metrics for this run. */
export async function recordedMetrics(engine: WarehouseEngine, batch: BatchRef, step: string): Promise<StepMetric[]> {
  const rows = await engine.query({
    sql: `select table_name, metric, metric_value from audit.metrics where run_id = :run_id and step = :step order by table_name, metric`,
    params: { run_id: batch.runId, step },
  });
  return rows.map((r) => ({ name: String(r.metric), value: Number(r.metric_value), unit: 'Count', table: String(r.table_name) }));
}

/** Sum of one metric over tables. */
export function totalOf(metrics: readonly StepMetric[], name: string): number {
  return metrics.filter((m) => m.name === name).reduce((sum, m) => sum + m.value, 0);
}
