import type { BatchRef, StepContext } from './context.js';
import { sqlNow } from '../sql/render.js';
import { releaseLeaseStatement } from './lease.js';

/** Figures of the run, recorded with the batch. */
export interface RunFigures {
  readonly versionsCreated: number;
  readonly factRowsUpserted: number;
  readonly testsPassed: number;
  readonly testsWarned: number;
  readonly testsFailed: number;
}

/** The per-batch hand-overs between steps, kept until the batch is done (sql/ddl/04_history.sql). */
export const BATCH_HANDOVER_TABLES = [
  'history.batch_changed_keys',
  'history.batch_created_versions',
  'history.batch_affected_orders',
  'history.batch_item_orders',
] as const;

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
    {
      label: 'ledger: done',
      sql: `update audit.batches set status = 'done', finished_at = ${sqlNow(context.engine.dialect)}, error = null
            where batch_id = :batch_id and run_id = :run_id`,
      params,
    },
    // Only when this run's row became done: a late call of a run that another run
    // has since taken over must not take that run's hand-overs away.
    ...BATCH_HANDOVER_TABLES.map((table) => ({
      label: `hand-over: ${table}`,
      sql: `delete from ${table}
            where batch_id = :batch_id
                and exists (select 1 from audit.batches as ledger where ledger.batch_id = :batch_id and ledger.run_id = :run_id and ledger.status = 'done')`,
      params,
    })),
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
