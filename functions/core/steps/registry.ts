import type { PipelineStepName } from '../pipelineManifest.js';
import { buildDimensions } from './buildDimensions.js';
import { buildFacts } from './buildFacts.js';
import { buildMarts } from './buildMarts.js';
import type { BatchRef, StepContext } from './context.js';
import { discoverBatch, type DiscoverBatchInput } from './discoverBatch.js';
import { loadStaging } from './loadStaging.js';
import { markBatchDone, type RunFigures } from './markBatchDone.js';
import { recordFailure, type RecordFailureInput } from './recordFailure.js';
import { validateBatch } from './validateBatch.js';

/**
 * The Lambda-backed Task states of statemachine/pipeline.asl.json (named in the
 * pipeline manifest) and the step each runs, with the payload the state sends. The Lambda handlers and the
 * local runner both dispatch through this table, so they run the same code.
 */
export const PIPELINE_STEPS = {
  DiscoverBatch: (context: StepContext, payload: unknown) => discoverBatch(context, payload as DiscoverBatchInput),
  LoadStaging: (context: StepContext, payload: unknown) => loadStaging(context, payload as BatchRef),
  BuildDimensions: (context: StepContext, payload: unknown) => buildDimensions(context, payload as BatchRef),
  BuildFacts: (context: StepContext, payload: unknown) => buildFacts(context, payload as BatchRef),
  BuildMarts: (context: StepContext, payload: unknown) => buildMarts(context, payload as BatchRef),
  ValidateBatch: (context: StepContext, payload: unknown) => validateBatch(context, payload as BatchRef),
  MarkBatchDone: (context: StepContext, payload: unknown) => {
    const input = payload as BatchRef & RunFigures & { readonly request?: { readonly batchId?: string }; readonly executionId?: string };
    // A run for one named batch ends after it (the ASL's WasBatchRequested): the lease goes with it.
    const ends = input.request?.batchId !== undefined && input.executionId !== undefined;
    return markBatchDone(context, input, input, ends ? { executionId: input.executionId as string } : undefined);
  },
  RecordFailure: (context: StepContext, payload: unknown) => recordFailure(context, payload as RecordFailureInput),
} as const satisfies Record<PipelineStepName, (context: StepContext, payload: unknown) => Promise<unknown>>;

/** What each step returns. */
export type PipelineStepResults = { readonly [S in PipelineStepName]: Awaited<ReturnType<(typeof PIPELINE_STEPS)[S]>> };

export { PIPELINE_STEP_NAMES, type PipelineStepName } from '../pipelineManifest.js';
