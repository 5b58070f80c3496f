import { sqlNow } from '../shared/sql/render.js';
import { listBatches } from '../shared/lake/batches.js';
import { bootstrapWarehouse } from './bootstrap.js';
import { randomBytes } from 'node:crypto';
import type { StepContext } from './context.js';
import { acquireLease, releaseLeaseStatement } from './lease.js';
import { newRunId } from './runId.js';

/** The execution's request: nothing (next pending batch) or one batch, maybe forced. */
export interface DiscoverBatchInput {
  readonly request?: { readonly batchId?: string; readonly force?: boolean };
  /** The Step Functions execution (`$$.Execution.Id`): the holder of the pipeline lease. */
  readonly executionId?: string;
}

/** The batch to process, or `batchId: null` with the reason there is none. */
export interface DiscoverBatchResult {
  readonly batchId: string | null;
  readonly runId: string | null;
  readonly tables: string[];
  readonly pendingAfter: number;
  readonly reason: string | null;
}

/**
 * Step 1: makes sure the warehouse exists, then picks the next pending batch
 * (lowest id not done) or the requested one, and marks it running in the ledger.
 */
export async function discoverBatch(context: StepContext, input: DiscoverBatchInput): Promise<DiscoverBatchResult> {
  const { engine, lake } = context;
  // One execution at a time: a second one (a manual start during the schedule's) stops here,
  // before it bootstraps (two bootstraps at once collide on the seeds).
  const holder = input.executionId ?? `unnamed-${randomBytes(4).toString('hex')}`;
  await acquireLease(engine, holder);
  await bootstrapWarehouse(engine);
  // The execution ends when there is nothing to do: it lets go of the lease.
  const none = async (reason: string, pendingAfter: number): Promise<DiscoverBatchResult> => {
    await engine.transaction([releaseLeaseStatement(holder)]);
    return { batchId: null, runId: null, tables: [], pendingAfter, reason };
  };
  const requested = input.request?.batchId;
  const batches = await listBatches(lake, requested);
  const done = new Set(
    (await engine.query({ sql: `select batch_id from audit.batches where status = 'done'` })).map((r) => String(r.batch_id)),
  );
  const pending = [...batches.keys()].filter((id) => !done.has(id)).sort();
  let batchId: string | undefined;
  if (requested !== undefined) {
    if (done.has(requested) && input.request?.force !== true) {
      return none(`batch ${requested} is already done (use --force to run it again)`, pending.length);
    }
    batchId = requested;
  } else {
    batchId = pending[0];
  }
  if (batchId === undefined) return none('every batch is done', 0);

  const runId = newRunId(batchId);
  await engine.transaction([
    {
      label: 'ledger: mark running',
      sql: `delete from audit.batches where batch_id = :batch_id`,
      params: { batch_id: batchId },
    },
    {
      label: 'ledger: mark running',
      sql: `insert into audit.batches (batch_id, status, run_id, attempts, started_at)
            values (:batch_id, 'running', :run_id, :attempts, ${sqlNow(engine.dialect)})`,
      params: { batch_id: batchId, run_id: runId, attempts: (await previousAttempts(context, batchId)) + 1 },
    },
  ]);
  return {
    batchId,
    runId,
    tables: [...(batches.get(batchId) ?? [])].sort(),
    pendingAfter: pending.filter((id) => id !== batchId).length,
    reason: null,
  };
}

async function previousAttempts(context: StepContext, batchId: string): Promise<number> {
  const rows = await context.engine.query({
    sql: `select max(attempts) as attempts from audit.batches where batch_id = :batch_id`,
    params: { batch_id: batchId },
  });
  return Number(rows[0]?.attempts ?? 0);
}

