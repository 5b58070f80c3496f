import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { MetricsRecorder } from '../functions/core/metricsRecorder.js';
import { bootstrappedWarehouse } from './helpers/warehouse.js';

const RUN = { runId: 'b1-run', batchId: 'b1' };

describe('The metrics recorder', () => {
  let engine: DuckDbEngine;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ engine, close } = await bootstrappedWarehouse('ecomdw-metrics-'));
  });
  afterAll(() => close());

  const rows = () =>
    engine.query({ sql: `select step, table_name, metric, metric_value, unit from audit.metrics where run_id = :run_id order by step, metric, table_name, metric_value`, params: { run_id: RUN.runId } });

  it('records a step retried within its run once, with each attempt\'s duration; the Glue steps\' durations with it', async () => {
    // Prepare
    await engine.transaction([{ sql: 'delete from audit.metrics' }]);
    const recorder = new MetricsRecorder(engine);
    const figures = (n: number) => [
      { name: 'VersionsCreated', value: n, unit: 'Count' as const, table: 'dim_customers' },
      { name: 'VersionsCreated', value: 1, unit: 'Count' as const, table: 'dim_products' },
    ];

    // Act
    await recorder.record(RUN, [{ step: 'NormalizeTable', figures: [], durationMs: 5.4 }, { step: 'BuildDimensions', figures: figures(3), durationMs: 12.6 }]);
    await recorder.record(RUN, [{ step: 'BuildDimensions', figures: figures(4), durationMs: 20 }]);

    // Assess
    expect(await rows()).toEqual([
      { step: 'BuildDimensions', table_name: '-', metric: 'StepDuration', metric_value: 13, unit: 'Milliseconds' },
      { step: 'BuildDimensions', table_name: '-', metric: 'StepDuration', metric_value: 20, unit: 'Milliseconds' },
      { step: 'BuildDimensions', table_name: 'dim_customers', metric: 'VersionsCreated', metric_value: 4, unit: 'Count' },
      { step: 'BuildDimensions', table_name: 'dim_products', metric: 'VersionsCreated', metric_value: 1, unit: 'Count' },
      { step: 'NormalizeTable', table_name: '-', metric: 'StepDuration', metric_value: 5, unit: 'Milliseconds' },
    ]);
  });

  it('writes nothing without a run', async () => {
    // Prepare
    await engine.transaction([{ sql: 'delete from audit.metrics' }]);

    // Act
    await new MetricsRecorder(engine).record(null, [{ step: 'DiscoverBatch', figures: [{ name: 'StrayRawFiles', value: 1, unit: 'Count' }], durationMs: 1 }]);

    // Assess
    expect(await engine.query({ sql: 'select cast(count(*) as integer) as n from audit.metrics' })).toEqual([{ n: 0 }]);
  });

  it('refuses a figure the pipeline manifest does not name for the step, and a step it does not know', async () => {
    // Prepare
    const recorder = new MetricsRecorder(engine);

    // Act
    const wrongStep = recorder.record(RUN, [{ step: 'LoadStaging', figures: [{ name: 'VersionsCreated', value: 1, unit: 'Count' }], durationMs: 1 }]);
    const unknown = recorder.record(RUN, [{ step: 'BuildCubes', figures: [], durationMs: 1 }]);

    // Assess
    await expect(wrongStep).rejects.toThrow(new TypeError('LoadStaging reports VersionsCreated, which the pipeline manifest does not name for it'));
    await expect(unknown).rejects.toThrow(TypeError);
  });
});
