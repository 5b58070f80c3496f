import { randomBytes } from 'node:crypto';
import { BatchError } from '../errors.js';
import { sqlStatement, sqlStatements } from '../sql/files.js';
import { listBatches } from '../lake/batches.js';
import { classifyRawObjects, type StrayObject } from '../lake/rawInventory.js';
import { bootstrapWarehouse } from './bootstrap.js';
import type { StepContext, StepMetric } from './context.js';
import { acquireLease, releaseLeaseStatement } from './lease.js';
import { compareDoneBatches, fingerprintFile, ledgerStatements, readLedger, type ChangedBatch, type LedgerFile } from './rawFileLedger.js';
import { newRunId } from './runId.js';

/** The execution's request: nothing (next pending batch) or one batch, maybe forced. */
export interface DiscoverBatchInput {
  readonly request?: { readonly batchId?: string; readonly force?: boolean };
  /** The Step Functions execution (`$$.Execution.Id`): the holder of the pipeline lease. */
  readonly executionId?: string;
}

/** The batch to process, or `batchId: null` with the reason there is none; and what the lake holds that needs a look. */
export interface DiscoverBatchResult {
  readonly batchId: string | null;
  readonly runId: string | null;
  readonly tables: string[];
  readonly pendingAfter: number;
  readonly reason: string | null;
  /** Done batches whose raw files changed since they were processed (never the batch picked now). */
  readonly changedBatches: ChangedBatch[];
  /** Objects under raw/ that no batch reads. */
  readonly strayFiles: StrayObject[];
  readonly metrics: StepMetric[];
}

/**
 * Step 1: makes sure the warehouse exists, compares the done batches' raw
 * files with the ledger (audit.batch_files), then picks the next pending batch
 * (lowest id not done) or the requested one, and marks it running in the ledger
 * with the raw files it is about to be processed from.
 */
export async function discoverBatch(context: StepContext, input: DiscoverBatchInput): Promise<DiscoverBatchResult> {
  const { engine, lake } = context;
  // One execution at a time: a second one (a manual start during the schedule's) stops here,
  // before it bootstraps (two bootstraps at once collide on the seeds).
  const holder = input.executionId ?? `unnamed-${randomBytes(4).toString('hex')}`;
  await acquireLease(engine, holder);
  await bootstrapWarehouse(engine);
  const requested = input.request?.batchId;
  const force = input.request?.force === true;
  const batches = await listBatches(lake, requested, { force });
  const inventory = classifyRawObjects(await lake.listRawObjects());
  const statuses = new Map(
    (await engine.query(sqlStatement('steps/discover_batch/batch_statuses.sql', engine.dialect))).map((r) => [String(r.batch_id), String(r.status)]),
  );
  const done = new Set([...statuses].filter(([, status]) => status === 'done').map(([id]) => id));
  if (requested !== undefined && !batches.has(requested) && !statuses.has(requested)) {
    throw new BatchError(`batch '${requested}' not found in ${lake.location}/raw, nor in the warehouse`);
  }

  const ledger = await readLedger(engine);
  const pending = [...batches.keys()].filter((id) => !done.has(id)).sort();
  let batchId: string | undefined;
  let reason: string | null = null;
  if (requested !== undefined) {
    if (done.has(requested) && !force) reason = `batch ${requested} is already done (use --force to run it again)`;
    else batchId = requested;
  } else {
    batchId = pending[0];
    if (batchId === undefined) reason = 'every batch is done';
  }
  const stillDone = new Set([...done].filter((id) => id !== batchId));
  const comparison = await compareDoneBatches(lake, inventory.files, ledger, stillDone);
  const lakeReport = {
    changedBatches: comparison.changedBatches,
    strayFiles: [...inventory.strays],
    metrics: [
      { name: 'ChangedDoneBatches', value: comparison.changedBatches.length, unit: 'Count' },
      { name: 'StrayRawFiles', value: inventory.strays.length, unit: 'Count' },
    ] satisfies StepMetric[],
  };
  const runId = batchId === undefined ? null : newRunId(batchId);
  const recorded = ledgerStatements(engine, comparison.refreshed, runId ?? 'discovery');
  if (batchId === undefined || runId === null) {
    // The execution ends when there is nothing to do: it lets go of the lease.
    await engine.transaction([...recorded, releaseLeaseStatement(holder)]);
    return { batchId: null, runId: null, tables: [], pendingAfter: requested === undefined ? 0 : pending.length, reason, ...lakeReport };
  }

  // The files the batch is about to be processed from: the ledger's hash where the
  // change token is the one it recorded (an earlier attempt), the content's otherwise.
  const known = ledger.get(batchId);
  const files: LedgerFile[] = [];
  for (const file of inventory.files.filter((f) => f.batchId === batchId)) files.push(await fingerprintFile(lake, file, known?.get(file.path)));
  await engine.transaction([
    ...recorded,
    ...sqlStatements('steps/discover_batch/mark_running.sql', engine.dialect, {
      batch_id: batchId,
      run_id: runId,
      attempts: (await previousAttempts(context, batchId)) + 1,
    }),
    ...ledgerStatements(engine, files, runId, batchId),
  ]);
  return {
    batchId,
    runId,
    tables: [...(batches.get(batchId) ?? [])].sort(),
    pendingAfter: pending.filter((id) => id !== batchId).length,
    reason: null,
    ...lakeReport,
  };
}

async function previousAttempts(context: StepContext, batchId: string): Promise<number> {
  const rows = await context.engine.query(sqlStatement('steps/discover_batch/previous_attempts.sql', context.engine.dialect, { batch_id: batchId }));
  return Number(rows[0]?.attempts ?? 0);
}
