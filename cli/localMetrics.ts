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
  await engine.transaction(
    metrics.map((m) => ({
      label: 'metrics',
      sql: `insert into audit.metrics (run_id, batch_id, step, table_name, metric, metric_value, unit, recorded_at)
            values (:run_id, :batch_id, :step, :table_name, :metric, :metric_value, :unit, ${sqlNow(engine.dialect)})`,
      params: { run_id: batch.runId, batch_id: batch.batchId, step, table_name: m.table ?? '-', metric: m.name, metric_value: m.value, unit: m.unit },
    })),
  );
}
