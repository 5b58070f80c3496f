import type { WarehouseEngine } from '../engine/types.js';
import { MART_FILES, MART_VIEWS } from '../pipelineManifest.js';
import { sqlStatement, sqlStatements } from '../sql/files.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';

export interface BuildMartsResult {
  /** The load's number: the order in which runs reached this step. */
  readonly loadSeq: number;
  readonly versionsOpened: number;
  readonly versionsClosed: number;
  /** Published figures this load changed. */
  readonly restatements: number;
  readonly metrics: StepMetric[];
}

/**
 * The step after BuildFacts: records what the warehouse now knows for the
 * reports (schema known, transaction time: rows a batch changes are closed and
 * reopened, never overwritten), the published daily figures and the
 * restatements of earlier ones, in one transaction. The mart views read it.
 * Idempotent: a retried call for a run that already has its load changes nothing.
 */
export async function buildMarts(context: StepContext, batch: BatchRef): Promise<BuildMartsResult> {
  const { engine } = context;
  const recorded = await loadOf(engine, batch.runId);
  if (recorded) return recorded;
  const [next] = await engine.query(sqlStatement('steps/build_marts/next_load.sql', engine.dialect));
  const params = { batch_id: batch.batchId, run_id: batch.runId, load_seq: Number(next?.load_seq ?? 1) };
  await engine.transaction(MART_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
  // An engine that answers no rows (the Data API mocked in tests) leaves the figures at zero.
  return (await loadOf(engine, batch.runId)) ?? { loadSeq: params.load_seq, versionsOpened: 0, versionsClosed: 0, restatements: 0, metrics: [] };
}

/**
 * Brings a warehouse built before the reporting layer up to date (bootstrap
 * calls it every time; it acts once): when successful runs exist but no load
 * was recorded, fact_order_fulfillment for every order, then everything dw
 * holds recorded as load 0, the load of the latest successful run (so
 * `--known-at` that batch shows the warehouse as it stood). Two transactions
 * (the Data API takes 40 statements at a time), each idempotent: a failure
 * leaves load 0 unrecorded, and the next bootstrap does it again.
 */
export async function backfillReporting(engine: WarehouseEngine): Promise<void> {
  const [recorded] = await engine.query(sqlStatement('steps/build_marts/loads_recorded.sql', engine.dialect));
  if (Number(recorded?.n ?? 0) > 0) return;
  const [latest] = await engine.query(sqlStatement('steps/build_marts/latest_successful_run.sql', engine.dialect));
  if (!latest) return;
  const params = { batch_id: String(latest.batch_id), run_id: String(latest.run_id), load_seq: 0 };
  await engine.transaction([...sqlStatements('scope/reporting_backfill.sql', engine.dialect, params), ...sqlStatements('facts/fact_order_fulfillment.sql', engine.dialect, params)]);
  // the scope above is committed and still in place: the Data API's 40 statements go to BuildMarts' own
  await engine.transaction(MART_FILES.flatMap((file) => sqlStatements(file, engine.dialect, params)));
}

async function loadOf(engine: WarehouseEngine, runId: string): Promise<BuildMartsResult | null> {
  const [row] = await engine.query(sqlStatement('steps/build_marts/load_of_run.sql', engine.dialect, { run_id: runId }));
  if (!row) return null;
  const figures = {
    loadSeq: Number(row.load_seq),
    versionsOpened: Number(row.versions_opened),
    versionsClosed: Number(row.versions_closed),
    restatements: Number(row.restatements),
  };
  return {
    ...figures,
    metrics: [
      { name: 'KnownVersionsOpened', value: figures.versionsOpened, unit: 'Count' },
      { name: 'KnownVersionsClosed', value: figures.versionsClosed, unit: 'Count' },
      { name: 'Restatements', value: figures.restatements, unit: 'Count' },
    ],
  };
}
