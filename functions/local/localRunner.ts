import './polyfills.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { DEFAULT_COMPRESSION, type CompressionMode, type PipelineConfig } from '../core/config.js';
import { BatchError, InterruptedError } from '../core/errors.js';
import { DuckDbEngine, type DuckDbEngineOptions } from '../core/engine/duckdbEngine.js';
import { sqlStatement } from '../core/sql/files.js';
import { listBatches } from '../core/lake/batches.js';
import { LocalLake } from '../core/lake/localLake.js';
import type { NormalizeManifest } from '../core/lake/manifest.js';
import { figuresOf, MetricsRecorder, metricsRunOf, type StepReport } from '../core/metricsRecorder.js';
import { NORMALIZE_STEP } from '../core/pipelineManifest.js';
import { runSummary, type BatchSummary } from '../core/runLedger.js';
import type { StepContext } from '../core/steps/context.js';
import type { DiscoverBatchResult } from '../core/steps/discoverBatch.js';
import { normalizeTable } from '../core/steps/normalizeTable.js';
import { checkedStateMachine, checkStateMachineAhead, stepFunctionsLibrary } from './stateMachineCheck.js';
import { NormalizeAhead } from './normalizeAhead.js';
import type { FailureAlert } from '../core/steps/recordFailure.js';
import { PIPELINE_STEPS, PIPELINE_STEP_NAMES, type PipelineStepName, type PipelineStepResults } from '../core/steps/registry.js';
import { SOURCE_TABLES, type SourceTable } from '../core/contract.js';
import type { StrayObject } from '../core/lake/rawInventory.js';
import type { ChangedBatch } from '../core/steps/rawFileLedger.js';

export type { BatchSummary, TableLoad, WarnedTest } from '../core/runLedger.js';

/** The ASL both Step Functions and the local runner execute. */
export const STATE_MACHINE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../statemachine/pipeline.asl.json');

/** What each Task state returns: a step's result, and for NormalizeTable (the Glue job) its manifest. */
export type StepResults = PipelineStepResults & { readonly [NORMALIZE_STEP]: NormalizeManifest };
/** A Task state the runner reports on. */
export type StepName = keyof StepResults;

/**
 * A finished step, typed by its state name. `result` is undefined when a test
 * override returned nothing for it.
 */
export type StepFinishedEvent = {
  readonly [S in StepName]: {
    readonly type: 'step-finished';
    readonly step: S;
    readonly batchId: string | null;
    readonly table?: string;
    /** Wall time of the step, recording its figures (audit.metrics) included. */
    readonly ms: number;
    readonly result: StepResults[S] | undefined;
  };
}[StepName];

/** Progress of a run, as it happens. */
export type PipelineEvent =
  | { readonly type: 'step-started'; readonly step: StepName; readonly batchId: string | null; readonly table?: string }
  | StepFinishedEvent
  | { readonly type: 'step-failed'; readonly step: StepName; readonly batchId: string | null; readonly table?: string; readonly ms: number; readonly error: Error }
  | { readonly type: 'batch-finished'; readonly batch: BatchSummary }
  | { readonly type: 'alert'; readonly alert: FailureAlert }
  | { readonly type: 'leftovers-removed'; readonly paths: readonly string[] };

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
  /** How the warehouse stores what the run writes (default: DEFAULT_COMPRESSION, as `ecomdw run`). */
  readonly compression?: CompressionMode;
  /** Print each warehouse statement's time on stderr (EcomdwConfig.traceSql). */
  readonly traceSql?: boolean;
  /**
   * The warehouse to run on, already open (the demo keeps it open after the run
   * to read its reconciliation and report); the caller closes it. Without it
   * the run opens `dbPath` with the options here and closes it when it ends.
   */
  readonly engine?: DuckDbEngine;
  /** DuckDB settings for a warehouse of a known size (the demo's); the engine's defaults otherwise. */
  readonly tuning?: Pick<DuckDbEngineOptions, 'threads' | 'checkpointThreshold' | 'onStatement'>;
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
  /**
   * Normalize the next batch (the one after the current batch in id order) while
   * the warehouse works on the current one (NormalizeAhead): for a run of every
   * pending batch of a lake nothing else writes to, such as the demo's. Same
   * output; the wall time of normalizing moves onto the core the one-thread
   * warehouse leaves idle.
   */
  readonly normalizeAhead?: boolean;
  /** Replace a state's local handler (tests inject failures through this); it gets the step's payload and context. */
  readonly overrides?: Partial<Record<StepName, (payload: unknown, context: StepContext) => Promise<unknown>>>;
}

// A forced run of a batch gone from the lake withdraws what the batch brought: the
// warehouse must know the batch, or the id is a typo.
async function assertKnownBatch(engine: DuckDbEngine, batchId: string, lake: LocalLake, close: () => Promise<void>): Promise<void> {
  const known = await engine.query({
    label: 'known batch',
    sql: `select count(*) as n from information_schema.tables where table_schema = 'audit' and table_name = 'batches'`,
  });
  const rows = Number(known[0]?.n ?? 0) === 0 ? [] : await engine.query(sqlStatement('steps/run/known_batch.sql', engine.dialect, { batch_id: batchId }));
  if (rows.length === 0) {
    await close();
    throw new BatchError(`batch '${batchId}' not found in ${lake.location}/raw, nor in the warehouse`);
  }
}

// A batch re-run without some table (its raw folder removed) must not leave that
// table's earlier silver and quarantine output behind as if it were current.
function removeStaleOutputs(lake: LocalLake, batchId: string, tables: readonly string[]): void {
  for (const table of SOURCE_TABLES) if (!tables.includes(table)) lake.removeBatchOutputs(table, batchId);
}

// The batch after `batchId` in id order, the one the next DiscoverBatch picks when the
// batches are processed in order, queued for normalizing ahead with the tables it has now.
async function normalizeNextBatch(ahead: NormalizeAhead, lake: LocalLake, batchId: string): Promise<void> {
  const batches = await lake.listRawBatches();
  const next = [...batches.keys()].filter((id) => id > batchId).sort()[0];
  if (next !== undefined) ahead.start(next, batches.get(next) ?? []);
}

/** Loads the pipeline's ASL. */
export function loadStateMachineDefinition(): StateMachineDefinition {
  return JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8')) as StateMachineDefinition;
}

// Validating the ASL costs ~0.35 s of CPU (a JSON-schema compile): once per process.
let machine: Promise<StateMachine> | undefined;
function pipelineStateMachine(): Promise<StateMachine> {
  machine ??= checkedStateMachine(STATE_MACHINE_FILE).catch((error: unknown) => {
    machine = undefined;
    throw error;
  });
  return machine;
}

/**
 * Starts checking the pipeline's ASL on a worker thread (stateMachineCheck.ts),
 * for a caller that has other work before runPipeline (the demo generates its lake).
 */
export function checkPipelineAhead(): void {
  if (machine === undefined) checkStateMachineAhead(STATE_MACHINE_FILE);
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
  const engine =
    options.engine ??
    (await DuckDbEngine.open({
      path: options.dbPath,
      lakeRoot: lake.location,
      memoryLimit: options.memoryLimit,
      compression: options.compression ?? DEFAULT_COMPRESSION,
      traceSql: options.traceSql,
      ...options.tuning,
    }));
  // Whoever opened the warehouse closes it.
  const close = async (): Promise<void> => {
    if (options.engine === undefined) await engine.close();
  };
  if (options.batchId !== undefined && !present.has(options.batchId)) await assertKnownBatch(engine, options.batchId, lake, close);
  const stop = (): void => engine.interrupt();
  options.signal?.addEventListener('abort', stop, { once: true });
  const context: StepContext = { engine, lake, config: options.config };
  // The same recorder as the Lambda handlers', without CloudWatch: audit.metrics only.
  const recorder = new MetricsRecorder(engine);
  const batches: BatchSummary[] = [];
  let current: { readonly batchId: string; readonly runId: string } | null = null;
  let note: string | null = null;
  let alert: FailureAlert | null = null;
  let lakeReport: Pick<RunSummary, 'changedBatches' | 'strayFiles'> = { changedBatches: [], strayFiles: [] };
  // The normalizer's timings (the Glue job's, which records none in the cloud) go with the
  // next Lambda step's: one metrics transaction per step, not one more per table.
  let normalized: StepReport[] = [];
  const ahead = options.normalizeAhead === true && options.batchId === undefined ? new NormalizeAhead(lake, options.signal) : null;

  // Once interrupted, every step but the Catch path's fails at once, and a step the
  // interruption cut short fails as interrupted, whatever its statement said.
  // `measured`: how long the work took when it was done before the state ran (NormalizeAhead).
  const timed = async (
    step: StepName,
    table: string | undefined,
    work: () => Promise<unknown>,
    record: (result: unknown, ms: number) => Promise<void>,
    measured: () => number | undefined = () => undefined,
  ): Promise<unknown> => {
    const batchId = current?.batchId ?? null;
    emit({ type: 'step-started', step, batchId, table });
    const t0 = performance.now();
    try {
      const before = step === 'RecordFailure' ? null : interrupted();
      if (before) throw before;
      let result: unknown;
      try {
        result = await work();
      } catch (error) {
        const during = step === 'RecordFailure' ? null : interrupted(error);
        if (during) throw during;
        throw error;
      }
      // StepDuration is the step's own work; the event's time also covers recording its
      // figures, a commit that may run the checkpoint of what the step wrote (DuckDB
      // skipped it at BuildFacts' own commit and ran it at the next one: 4.5 s of a
      // scale-10 batch that the step's time, and the bench's step shares, left out).
      // Work done before the state ran (NormalizeAhead) counts what it took then.
      const early = measured();
      const ms = early ?? performance.now() - t0;
      await record(result, ms);
      emit({ type: 'step-finished', step, batchId, table, ms: early ?? performance.now() - t0, result } as StepFinishedEvent);
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
    const record = async (result: unknown, ms: number): Promise<void> => {
      const metricsRun = metricsRunOf(name, payload, result);
      if (metricsRun === null) return;
      await recorder.record(metricsRun, [...normalized, { step: name, figures: figuresOf(result), durationMs: ms }]);
      normalized = [];
    };
    // The Map of the current batch is done: normalize the next batch meanwhile.
    if (name === 'LoadStaging' && ahead !== null && current !== null) await normalizeNextBatch(ahead, lake, current.batchId);
    const result = await timed(name, undefined, () => run(payload, context), record);
    if (name === 'DiscoverBatch') {
      const found = result as DiscoverBatchResult;
      lakeReport = { changedBatches: found.changedBatches ?? [], strayFiles: found.strayFiles ?? [] };
      if (found.batchId && found.runId) {
        removeStaleOutputs(lake, found.batchId, found.tables);
        current = { batchId: found.batchId, runId: found.runId };
        // The normalizers run next, in this process, while the warehouse waits: what it
        // cached of the last batch (its whole budget, once the history outgrows it)
        // would otherwise stay resident beside them (scale 30: 3 + 2.3 GiB at the peak).
        // Not when the batch was normalized ahead, beside the warehouse's work.
        if (ahead === null) await engine.releaseMemory?.();
      } else {
        note = found.reason;
      }
    }
    if (name === 'MarkBatchDone' && current) {
      // What the batch did, as the ledger now records it (the same summary a cloud run gives).
      const [batch] = await runSummary(context, [current.runId]);
      // Done: the next DiscoverBatch, and a failure before it finds a batch, belong to no batch.
      current = null;
      if (batch) {
        batches.push(batch);
        emit({ type: 'batch-finished', batch });
      }
    }
    if (name === 'RecordFailure') alert = result as FailureAlert;
    return { Payload: result };
  };

  const handlers: Record<string, (input: never) => Promise<unknown>> = Object.fromEntries(
    PIPELINE_STEP_NAMES.map((name) => [name, lambdaTask(name)]),
  );
  handlers[NORMALIZE_STEP] = async (input: { JobName: string; Arguments: Record<string, string> }) => {
    const table = input.Arguments['--table'] as SourceTable;
    const batchId = input.Arguments['--batch_id'] ?? '';
    let aheadMs: number | undefined;
    const normalize = async (): Promise<NormalizeManifest> => {
      const early = await ahead?.take(table, batchId);
      if (early) {
        aheadMs = early.ms;
        return early.manifest;
      }
      return normalizeTable(lake, { table, batchId });
    };
    const run = options.overrides?.[NORMALIZE_STEP] ?? normalize;
    await timed(
      NORMALIZE_STEP,
      table,
      () => run(input, context),
      async (_result, ms) => {
        normalized.push({ step: NORMALIZE_STEP, figures: [], durationMs: ms });
      },
      () => aheadMs,
    );
    return { Arguments: input.Arguments, JobRunState: 'SUCCEEDED' };
  };
  handlers.PublishAlert = async () => {
    if (alert) emit({ type: 'alert', alert });
    return { MessageId: 'local' };
  };

  const request: Record<string, string | boolean> =
    options.batchId === undefined ? {} : { batchId: options.batchId, force: options.force === true };
  const execution = (await pipelineStateMachine()).run(
    { request },
    {
      // aws-local-stepfunctions has no $$.Execution.Id of its own.
      context: { Execution: { Id: `local:${new Date().toISOString()}:${process.pid}`, Input: { request } } },
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: Object.fromEntries([...PIPELINE_STEP_NAMES, NORMALIZE_STEP, 'PublishAlert'].map((n) => [n, 0])),
      },
    },
  );
  try {
    await execution.result;
    return { batches, note, failure: null, removedLeftovers, ...lakeReport };
  } catch (error) {
    const { ExecutionError } = await stepFunctionsLibrary();
    if (!(error instanceof ExecutionError)) throw error;
    const failure = alert as FailureAlert | null;
    const batchId = (current as { readonly batchId: string } | null)?.batchId ?? null;
    return {
      batches,
      note,
      failure: failure
        ? { subject: failure.subject, message: failure.message, errorName: failure.errorName, batchId }
        : { subject: 'pipeline failed', message: error.message, errorName: 'PipelineFailed', batchId },
      removedLeftovers,
      ...lakeReport,
    };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    // No normalization may still be writing to the lake when the run returns.
    await ahead?.settle();
    await close();
  }
}
