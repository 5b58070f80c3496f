import type { WarehouseEngine } from '../functions/shared/engine/types.js';
import { sqlNow } from '../functions/shared/sql/render.js';
import type { BatchRef, StepMetric } from '../functions/steps/context.js';

/**
 * Locally, the figures a Lambda would emit as CloudWatch metrics go to
 * audit.metrics instead (StepDuration for every step, plus the step's own).
 */
export async function recordLocalMetrics(engine: WarehouseEngine, batch: BatchRef, step: string, ms: number, result: unknown): Promise<void> {
  const own = ((result as { metrics?: StepMetric[] } | null)?.metrics ?? []).filter((m) => !['VersionsCreated', 'FactRowsUpserted'].includes(m.name));
  const metrics: StepMetric[] = [{ name: 'StepDuration', value: Math.round(ms), unit: 'Milliseconds' }, ...own];
  // One statement for all of a step's figures: a statement per figure cost
  // ~2 ms each, seconds over a long run.
  const rows = metrics.map((_m, i) => `(:run_id, :batch_id, :step, :table_name_${i}, :metric_${i}, :metric_value_${i}, :unit_${i}, ${sqlNow(engine.dialect)})`);
  const params: Record<string, string | number> = { run_id: batch.runId, batch_id: batch.batchId, step };
  metrics.forEach((m, i) => {
    params[`table_name_${i}`] = m.table ?? '-';
    params[`metric_${i}`] = m.name;
    params[`metric_value_${i}`] = m.value;
    params[`unit_${i}`] = m.unit;
  });
  await engine.transaction([
    {
      label: 'metrics',
      sql: `insert into audit.metrics (run_id, batch_id, step, table_name, metric, metric_value, unit, recorded_at)
            values ${rows.join(',\n                   ')}`,
      params,
    },
  ]);
}
