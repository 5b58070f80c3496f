import type { WarehouseEngine } from '../engine/types.js';
import { sqlStatements } from '../sql/files.js';
import type { BatchRef, StepMetric } from './context.js';

/**
 * Runs a step's figures query (a SQL file answering table_name, metric,
 * metric_value) for the batch: the figures the step returns, for the metrics
 * recorder to record.
 */
export async function queryFigures(engine: WarehouseEngine, file: string, batch: BatchRef): Promise<StepMetric[]> {
  const figures: StepMetric[] = [];
  for (const statement of sqlStatements(file, engine.dialect, { batch_id: batch.batchId, run_id: batch.runId })) {
    const rows = await engine.query(statement);
    figures.push(...rows.map((r): StepMetric => ({ name: String(r.metric), value: Number(r.metric_value), unit: 'Count', table: String(r.table_name) })));
  }
  return figures;
}

/** Sum of one metric over tables. */
export function totalOf(metrics: readonly StepMetric[], name: string): number {
  return metrics.filter((m) => m.name === name).reduce((sum, m) => sum + m.value, 0);
}
