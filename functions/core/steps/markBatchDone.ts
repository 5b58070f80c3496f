import type { BatchRef, StepContext } from './context.js';
import { sqlStatements } from '../sql/files.js';
import { releaseLeaseStatement } from './lease.js';

/** Figures of the run, recorded with the batch. */
export interface RunFigures {
  readonly versionsCreated: number;
  readonly factRowsUpserted: number;
  readonly testsPassed: number;
  readonly testsWarned: number;
  readonly testsFailed: number;
}

/**
 * Step 7: marks the batch done in the ledger, records the run's figures and
 * drops the batch's hand-overs, all in one transaction: until it commits, a
 * re-run of any step still finds them. `endsExecution`: the execution stops
 * after this batch (it was asked for one), so its pipeline lease is released in
 * the same transaction.
 */
export async function markBatchDone(context: StepContext, batch: BatchRef, figures: RunFigures, endsExecution?: { readonly executionId: string }): Promise<void> {
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await context.engine.transaction([
    ...sqlStatements('steps/mark_batch_done/mark_done.sql', context.engine.dialect, {
      ...params,
      versions_created: figures.versionsCreated,
      fact_rows_upserted: figures.factRowsUpserted,
      tests_passed: figures.testsPassed,
      tests_warned: figures.testsWarned,
      tests_failed: figures.testsFailed,
    }),
    ...(endsExecution ? [releaseLeaseStatement(endsExecution.executionId)] : []),
  ]);
}
