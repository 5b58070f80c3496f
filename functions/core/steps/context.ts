import type { PipelineConfig } from '../config.js';
import type { WarehouseEngine } from '../engine/types.js';
import type { Lake } from '../lake/lake.js';

/** What every step is given: the same in Lambda and in the local runner. */
export interface StepContext {
  readonly engine: WarehouseEngine;
  readonly lake: Lake;
  readonly config: PipelineConfig;
}

/** The batch a run is working on; passed from state to state. */
export interface BatchRef {
  readonly batchId: string;
  readonly runId: string;
  readonly tables: readonly string[];
}

export type { StepMetric } from '../stepMetric.js';
