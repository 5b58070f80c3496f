import type { BatchRef, StepContext } from './context.js';
import { sqlNow } from '../shared/sql/render.js';
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
 * Step 7: marks the batch done in the ledger and records the run's figures.
 * `endsExecution`: the execution stops after this batch (it was asked for
 * one), so its pipeline lease is released in the same transaction.
 */
export async function markBatchDone(context: StepContext, batch: BatchRef, figures: RunFigures, endsExecution?: { readonly executionId: string }): Promise<void> {
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  await context.engine.transaction([
    {
      label: 'ledger: done',
      sql: `update audit.batches set status = 'done', finished_at = ${sqlNow(context.engine.dialect)}, error = null
            where batch_id = :batch_id and run_id = :run_id`,
      params,
    },
    { label: 'runs', sql: `delete from audit.runs where run_id = :run_id`, params: { run_id: batch.runId } },
    {
      label: 'runs',
      sql: `insert into audit.runs (run_id, batch_id, finished_at, versions_created, fact_rows_upserted, tests_passed, tests_warned, tests_failed)
            values (:run_id, :batch_id, ${sqlNow(context.engine.dialect)}, :versions_created, :fact_rows_upserted, :tests_passed, :tests_warned, :tests_failed)`,
      params: {
        ...params,
        versions_created: figures.versionsCreated,
        fact_rows_upserted: figures.factRowsUpserted,
        tests_passed: figures.testsPassed,
        tests_warned: figures.testsWarned,
        tests_failed: figures.testsFailed,
      },
    },
    ...(endsExecution ? [releaseLeaseStatement(endsExecution.executionId)] : []),
  ]);
}
