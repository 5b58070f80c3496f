import './polyfills.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { PipelineConfig } from '../functions/shared/config.js';
import { BatchError, InterruptedError } from '../functions/shared/errors.js';
import { DuckDbEngine } from '../functions/shared/engine/duckdbEngine.js';
import { listBatches } from '../functions/shared/lake/batches.js';
import { LocalLake } from '../functions/shared/lake/localLake.js';
import type { BatchRef, StepContext } from '../functions/steps/context.js';
import type { DiscoverBatchResult } from '../functions/steps/discoverBatch.js';
import type { LoadStagingResult, TableLoad } from '../functions/steps/loadStaging.js';
import { normalizeTable } from '../functions/steps/normalizeTable.js';
import type { FailureAlert } from '../functions/steps/recordFailure.js';
import { PIPELINE_STEPS, PIPELINE_STEP_NAMES, type PipelineStepName } from '../functions/steps/registry.js';
import { SOURCE_TABLES, type SourceTable } from '../functions/shared/contract.js';
import type { StrayObject } from '../functions/shared/lake/rawInventory.js';
import type { ChangedBatch } from '../functions/steps/rawFileLedger.js';
import { recordLocalMetrics } from './localMetrics.js';

/** The ASL both Step Functions and the local runner execute. */
export const STATE_MACHINE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../statemachine/pipeline.asl.json');

/** Progress of a run, as it happens. */
export type PipelineEvent =
  | { readonly type: 'step-started'; readonly step: string; readonly batchId: string | null; readonly table?: string }
  | { readonly type: 'step-finished'; readonly step: string; readonly batchId: string | null; readonly table?: string; readonly ms: number; readonly result: unknown }
  | { readonly type: 'step-failed'; readonly step: string; readonly batchId: string | null; readonly table?: string; readonly ms: number; readonly error: Error }
  | { readonly type: 'batch-finished'; readonly batch: BatchSummary }
  | { readonly type: 'alert'; readonly alert: FailureAlert }
  | { readonly type: 'leftovers-removed'; readonly paths: readonly string[] };

/** A test that warned in a batch's run, as audit.test_results recorded it. */
export interface WarnedTest {
  readonly test: string;
  readonly failingRows: number;
  /** Up to 5 sample keys, comma-separated, as the test recorded them. */
  readonly sampleKeys: string | null;
}

/** What one processed batch did. */
export interface BatchSummary {
  readonly batchId: string;
  readonly runId: string;
  readonly tables: TableLoad[];
  readonly versionsCreated: number;
  readonly factRowsUpserted: number;
  readonly testsPassed: number;
  readonly testsWarned: number;
  readonly testsFailed: number;
  /** The tests that warned, read back from audit.test_results. */
  readonly warnedTests: WarnedTest[];
  readonly seconds: number;
}

export interface RunSummary {
  readonly batches: BatchSummary[];
  /** Why nothing (more) was processed, when the run ended normally. */
  readonly note: string | null;
  /** Set when the run failed: the alert that was raised, and the batch it was working on (null: none yet). */
  readonly failure: (FailureAlert & { readonly errorName: string; readonly batchId: string | null }) | null;
  /** Half-written normalization folders a killed run had left in the lake, removed at the start. */
  readonly removedLeftovers: readonly string[];
  /** Done batches whose raw files changed since they were processed, as the run's last discovery saw them. */
  readonly changedBatches: readonly ChangedBatch[];
  /** Objects under raw/ that no batch reads. */
  readonly strayFiles: readonly StrayObject[];
}

export interface RunPipelineOptions {
  readonly lakeDir: string;
  readonly dbPath: string;
  /** The warehouse's DuckDB memory budget (default: DEFAULT_MEMORY_LIMIT). */
  readonly memoryLimit?: string;
  /** Print each warehouse statement's time on stderr (EcomdwConfig.traceSql). */
  readonly traceSql?: boolean;
  readonly config: PipelineConfig;
  readonly batchId?: string;
  readonly force?: boolean;
  readonly onEvent?: (event: PipelineEvent) => void;
  /**
   * Stops the run (Ctrl-C, SIGTERM): the running warehouse statement is
   * interrupted and its transaction rolls back, the next step fails with an
   * InterruptedError, and the Catch path marks the batch failed as for any failure.
   */
  readonly signal?: AbortSignal;
  /** Replace a state's local handler (tests inject failures through this); it gets the step's payload and context. */
  readonly overrides?: Partial<Record<PipelineStepName | 'NormalizeTable', (payload: unknown, context: StepContext) => Promise<unknown>>>;
}

// A forced run of a batch gone from the lake withdraws what the batch brought: the
// warehouse must know the batch, or the id is a typo.
async function assertKnownBatch(engine: DuckDbEngine, batchId: string, lake: LocalLake): Promise<void> {
  const known = await engine.query({
    label: 'known batch',
    sql: `select count(*) as n from information_schema.tables where table_schema = 'audit' and table_name = 'batches'`,
  });
  const rows = Number(known[0]?.n ?? 0) === 0 ? [] : await engine.query({ sql: 'select batch_id from audit.batches where batch_id = :batch_id', params: { batch_id: batchId } });
  if (rows.length === 0) {
    await engine.close();
    throw new BatchError(`batch '${batchId}' not found in ${lake.location}/raw, nor in the warehouse`);
  }
}

// A batch re-run without some table (its raw folder removed) must not leave that
// table's earlier silver and quarantine output behind as if it were current.
function removeStaleOutputs(lake: LocalLake, batchId: string, tables: readonly string[]): void {
  for (const table of SOURCE_TABLES) if (!tables.includes(table)) lake.removeBatchOutputs(table, batchId);
}

// The summary names what warned from the audit table, the record a later reader also sees.
// Reading them never fails the batch: it is done by now.
async function warnedTests(engine: DuckDbEngine, runId: string): Promise<WarnedTest[]> {
  const rows = await engine.query({
    label: 'warned tests',
    sql: `select test_name, failing_rows, sample_keys from audit.test_results where run_id = :run_id and status = 'warn' order by test_name`,
    params: { run_id: runId },
  }).catch(() => []);
  return rows.map((r) => ({ test: String(r.test_name), failingRows: Number(r.failing_rows), sampleKeys: r.sample_keys === null ? null : String(r.sample_keys) }));
}

/** Loads the pipeline's ASL. */
export function loadStateMachineDefinition(): StateMachineDefinition {
  return JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8')) as StateMachineDefinition;
}

// Validating the ASL costs ~0.3 s of CPU (a JSON-schema compile): once per process.
let machine: StateMachine | undefined;
function pipelineStateMachine(): StateMachine {
  machine ??= new StateMachine(loadStateMachineDefinition(), { validationOptions: { checkArn: true, checkPaths: true } });
  return machine;
}

/**
 * Runs statemachine/pipeline.asl.json locally with aws-local-stepfunctions:
 * every Lambda task calls its step in-process, the Glue task the local
 * normalizer, the SNS task the local alert sink.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunSummary> {
  const lake = new LocalLake(path.resolve(options.lakeDir));
  // A bad lake or batch id is a usage error, not a failed run.
  const present = await listBatches(lake, options.batchId, { force: options.force });
  const interrupted = (cause?: unknown): InterruptedError | null =>
    options.signal?.aborted === true ? new InterruptedError(options.signal.reason as NodeJS.Signals, undefined, cause === undefined ? undefined : { cause }) : null;
  const early = interrupted();
  if (early) throw early;
  const emit = options.onEvent ?? (() => undefined);
  const removedLeftovers = lake.removeAbandonedOutputs();
  if (removedLeftovers.length > 0) emit({ type: 'leftovers-removed', paths: removedLeftovers });
  const engine = await DuckDbEngine.open({ path: options.dbPath, lakeRoot: lake.location, memoryLimit: options.memoryLimit, traceSql: options.traceSql });
  if (options.batchId !== undefined && !present.has(options.batchId)) await assertKnownBatch(engine, options.batchId, lake);
  const stop = (): void => engine.interrupt();
  options.signal?.addEventListener('abort', stop, { once: true });
  const context: StepContext = { engine, lake, config: options.config };
  const batches: BatchSummary[] = [];
  const loads = new Map<string, LoadStagingResult>();
  const started = new Map<string, number>();
  let current: BatchRef | null = null;
  let note: string | null = null;
  let alert: FailureAlert | null = null;
  let lakeReport: Pick<RunSummary, 'changedBatches' | 'strayFiles'> = { changedBatches: [], strayFiles: [] };

  // Once interrupted, every step but the Catch path's fails at once, and a step the
  // interruption cut short fails as interrupted, whatever its statement said.
  const timed = async <T>(step: string, table: string | undefined, work: () => Promise<T>): Promise<T> => {
    const batchId = current?.batchId ?? null;
    emit({ type: 'step-started', step, batchId, table });
    const t0 = performance.now();
    try {
      const before = step === 'RecordFailure' ? null : interrupted();
      if (before) throw before;
      let result: T;
      try {
        result = await work();
      } catch (error) {
        const during = step === 'RecordFailure' ? null : interrupted(error);
        if (during) throw during;
        throw error;
      }
      const ms = performance.now() - t0;
      emit({ type: 'step-finished', step, batchId, table, ms, result });
      if (current && step !== 'RecordFailure') await recordLocalMetrics(engine, current, step, ms, result);
      return result;
    } catch (error) {
      emit({ type: 'step-failed', step, batchId, table, ms: performance.now() - t0, error: error as Error });
      throw error;
    }
  };

  // The lambda:invoke integration passes { FunctionName, Payload } and returns { Payload }.
  const lambdaTask = (name: PipelineStepName) => async (input: { Payload: unknown }) => {
    const payload = input.Payload;
    const run = options.overrides?.[name] ?? ((p: unknown, c: StepContext) => PIPELINE_STEPS[name](c, p));
    const result = await timed(name, undefined, () => run(payload, context));
    if (name === 'DiscoverBatch') {
      const found = result as DiscoverBatchResult;
      lakeReport = { changedBatches: found.changedBatches ?? [], strayFiles: found.strayFiles ?? [] };
      if (found.batchId && found.runId) {
        removeStaleOutputs(lake, found.batchId, found.tables);
        current = { batchId: found.batchId, runId: found.runId, tables: found.tables };
        started.set(found.runId, performance.now());
      } else {
        note = found.reason;
      }
    }
    if (name === 'LoadStaging' && current) loads.set(current.runId, result as LoadStagingResult);
    if (name === 'MarkBatchDone' && current) {
      const batch = summarize(current, payload as Record<string, number>, await warnedTests(engine, current.runId));
      batches.push(batch);
      emit({ type: 'batch-finished', batch });
    }
    if (name === 'RecordFailure') alert = result as FailureAlert;
    return { Payload: result };
  };

  const summarize = (batch: BatchRef, figures: Record<string, number>, warned: WarnedTest[]): BatchSummary => ({
    batchId: batch.batchId,
    runId: batch.runId,
    tables: loads.get(batch.runId)?.tables ?? [],
    versionsCreated: Number(figures.versionsCreated ?? 0),
    factRowsUpserted: Number(figures.factRowsUpserted ?? 0),
    testsPassed: Number(figures.testsPassed ?? 0),
    testsWarned: Number(figures.testsWarned ?? 0),
    testsFailed: Number(figures.testsFailed ?? 0),
    warnedTests: warned,
    seconds: (performance.now() - (started.get(batch.runId) ?? performance.now())) / 1000,
  });

  const handlers: Record<string, (input: never) => Promise<unknown>> = Object.fromEntries(
    PIPELINE_STEP_NAMES.map((name) => [name, lambdaTask(name)]),
  );
  handlers.NormalizeTable = async (input: { JobName: string; Arguments: Record<string, string> }) => {
    const table = input.Arguments['--table'] as SourceTable;
    const batchId = input.Arguments['--batch_id'] ?? '';
    const run = options.overrides?.NormalizeTable ?? (() => normalizeTable(lake, { table, batchId }));
    await timed('NormalizeTable', table, () => run(input, context));
    return { Arguments: input.Arguments, JobRunState: 'SUCCEEDED' };
  };
  handlers.PublishAlert = async () => {
    if (alert) emit({ type: 'alert', alert });
    return { MessageId: 'local' };
  };

  const request: Record<string, string | boolean> =
    options.batchId === undefined ? {} : { batchId: options.batchId, force: options.force === true };
  const execution = pipelineStateMachine().run(
    { request },
    {
      // aws-local-stepfunctions has no $$.Execution.Id of its own.
      context: { Execution: { Id: `local:${new Date().toISOString()}:${process.pid}`, Input: { request } } },
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: Object.fromEntries([...PIPELINE_STEP_NAMES, 'NormalizeTable', 'PublishAlert'].map((n) => [n, 0])),
      },
    },
  );
  try {
    await execution.result;
    return { batches, note, failure: null, removedLeftovers, ...lakeReport };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const failure = alert as FailureAlert | null;
    const errorName = failure?.message.split(':')[0] ?? 'PipelineFailed';
    const batchId = (current as BatchRef | null)?.batchId ?? null;
    return {
      batches,
      note,
      failure: failure ? { ...failure, errorName, batchId } : { subject: 'pipeline failed', message: error.message, errorName, batchId },
      removedLeftovers,
      ...lakeReport,
    };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await engine.close();
  }
}
