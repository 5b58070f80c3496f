/**
 * One benchmark scenario, run in its own process so that its peak RSS is its
 * own: `tsx bench/scenario.ts '<json spec>'`. Prints one JSON result line,
 * prefixed with RESULT_MARKER, on stdout; progress goes to stderr.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { closeSync, copyFileSync, fsyncSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPipeline, type BatchSummary, type PipelineEvent } from '../functions/local/localRunner.js';
import { parseFreshness } from '../functions/core/config.js';
import { isReportingLayerTest } from '../functions/core/steps/dataTests.js';
import { generateLake } from '../generator/generateLake.js';
import { checkCorrectness, type CorrectnessResult } from './correctness.js';
import { contractFloor, floor, type ContractFloorResult, type FloorResult } from './floors.js';
import { replicateHistory, type ColdKeys } from './replicate.js';
import { measureReporting, type ReportingResult } from './reporting.js';

/** The line prefix that marks a scenario's result on stdout. */
export const RESULT_MARKER = 'BENCH-RESULT ';

export type ScenarioSpec =
  | { readonly kind: 'generate'; readonly out: string; readonly scale: number; readonly days: number; readonly seed: number }
  | {
      readonly kind: 'pipeline';
      readonly dbPath: string;
      /** Copy this database file to dbPath first (a prepared history). */
      readonly fromDb?: string;
      /** Runs of the state machine, one after the other, on the same warehouse. */
      readonly runs: readonly PipelineRun[];
    }
  | { readonly kind: 'floor'; readonly lakeDir: string; readonly dbPath: string; readonly batches?: readonly string[] }
  | { readonly kind: 'contract-floor'; readonly lakeDir: string; readonly dbPath: string; readonly silverDir: string }
  | {
      readonly kind: 'reporting';
      readonly dbPath: string;
      /** The batch the known-at report is as of. */
      readonly knownAt: string;
      /** The date of the as-of attribution. */
      readonly asOfDate: string;
      readonly repeat: number;
    }
  | {
      readonly kind: 'correctness';
      readonly lakeDir: string;
      readonly pipelineDb: string;
      /** The dbt peer's warehouse after the same batches; null: the pipeline alone. */
      readonly peerDb: string | null;
    }
  | {
      readonly kind: 'replicate';
      readonly fromDb: string;
      readonly dbPath: string;
      /** Cold copies to add: the result holds copies + 1 times the history. */
      readonly copies: number;
      readonly coldKeys: ColdKeys;
    };

/** One run of the state machine: every pending batch of a lake, or one batch. */
export interface PipelineRun {
  readonly lakeDir: string;
  readonly batchId?: string;
  /** After the run, copy the warehouse file here (not timed): a history for later scenarios. */
  readonly snapshotTo?: string;
}

/** Per batch: the time of each step (NormalizeTable: per table and the Map state's wall time). */
export interface BatchTiming {
  readonly batchId: string;
  readonly seconds: number;
  readonly rawRows: number;
  readonly stagedRows: number;
  readonly versionsCreated: number;
  readonly factRowsUpserted: number;
  /** Step name (or `NormalizeTable <table>`) → milliseconds. */
  readonly stepMs: Record<string, number>;
  /** Of ValidateBatch, the milliseconds of the reporting layer's tests (isReportingLayerTest); absent in results from before. */
  readonly reportingTestMs?: number;
}

export interface PipelineResult {
  readonly kind: 'pipeline';
  readonly seconds: number;
  readonly maxRssBytes: number;
  /** User + system CPU seconds of the scenario's process (added when it ends). */
  readonly cpuSeconds?: number;
  readonly batches: BatchTiming[];
  readonly failure: string | null;
  /** Rows per table of the prepared warehouse (fromDb) before the run. */
  readonly tableRowsBefore: Record<string, number> | null;
  /** Rows per table of the warehouse after the run (history, dw). */
  readonly tableRows: Record<string, number>;
  readonly dbBytes: number;
}

export interface GenerateResult {
  readonly kind: 'generate';
  readonly seconds: number;
  readonly maxRssBytes: number;
  /** User + system CPU seconds of the scenario's process (added when it ends). */
  readonly cpuSeconds?: number;
  readonly rows: number;
  readonly rowsPerSecond: number;
  readonly batches: string[];
  readonly rowsByTableAndBatch: Record<string, Record<string, number>>;
  readonly lakeBytes: number;
}

export interface ReplicateResult {
  readonly kind: 'replicate';
  readonly seconds: number;
  readonly maxRssBytes: number;
  /** User + system CPU seconds of the scenario's process (added when it ends). */
  readonly cpuSeconds?: number;
  readonly tableRows: Record<string, number>;
  readonly dbBytes: number;
}

export type { ContractFloorResult, FloorResult } from './floors.js';
export type { CorrectnessResult } from './correctness.js';
export type { ReportingResult } from './reporting.js';
export type ScenarioResult = PipelineResult | GenerateResult | FloorResult | ContractFloorResult | ReplicateResult | CorrectnessResult | ReportingResult;

/** Runs one scenario in this process and returns its figures. */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  switch (spec.kind) {
    case 'generate':
      return generate(spec);
    case 'pipeline':
      return pipeline(spec);
    case 'floor':
      return { ...(await floor(spec.lakeDir, spec.dbPath, spec.batches)), maxRssBytes: maxRssBytes() };
    case 'contract-floor':
      return { ...(await contractFloor(spec.lakeDir, spec.dbPath, spec.silverDir)), maxRssBytes: maxRssBytes() };
    case 'correctness':
      return { ...(await checkCorrectness(spec.lakeDir, spec.pipelineDb, spec.peerDb)), maxRssBytes: maxRssBytes() };
    case 'replicate':
      return replicate(spec);
    case 'reporting': {
      const started = performance.now();
      const measured = await measureReporting(spec.dbPath, spec.knownAt, spec.asOfDate, spec.repeat);
      return { kind: 'reporting', ...measured, seconds: (performance.now() - started) / 1000, maxRssBytes: maxRssBytes() };
    }
  }
}

// process.resourceUsage().maxRSS is in kilobytes on Linux and macOS.
function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function generate(spec: Extract<ScenarioSpec, { kind: 'generate' }>): Promise<GenerateResult> {
  const summary = await generateLake({
    out: spec.out,
    scale: spec.scale,
    days: spec.days,
    seed: spec.seed,
    format: 'mixed',
    onProgress: (m) => process.stderr.write(`  generate: ${m}\n`),
  });
  return {
    kind: 'generate',
    seconds: summary.seconds,
    maxRssBytes: maxRssBytes(),
    rows: Object.values(summary.rowsByTable).reduce((a, b) => a + b, 0),
    rowsPerSecond: summary.rowsPerSecond,
    batches: summary.batches,
    rowsByTableAndBatch: summary.rowsByTableAndBatch,
    lakeBytes: folderBytes(path.join(spec.out, 'raw')),
  };
}

/**
 * Copies a warehouse file and waits until the copy is on disk: otherwise the kernel
 * writes it back during the timed run that follows (a 3.9 GB history at scale 10),
 * which then pays for part of an untimed copy. The dbt peer's copy does the same.
 */
function copyToDisk(from: string, to: string): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function pipeline(spec: Extract<ScenarioSpec, { kind: 'pipeline' }>): Promise<PipelineResult> {
  if (spec.fromDb !== undefined) {
    rmSync(spec.dbPath, { force: true });
    rmSync(`${spec.dbPath}.wal`, { force: true });
    copyToDisk(spec.fromDb, spec.dbPath);
  }
  const tableRowsBefore = spec.fromDb === undefined ? null : await warehouseRows(spec.dbPath);
  const timings = new Map<string, { stepMs: Record<string, number>; normalizeStart: number; normalizeEnd: number; reportingTestMs: number }>();
  const timingOf = (batchId: string) => {
    let timing = timings.get(batchId);
    if (!timing) {
      timing = { stepMs: {}, normalizeStart: Infinity, normalizeEnd: 0, reportingTestMs: 0 };
      timings.set(batchId, timing);
    }
    return timing;
  };
  // The warehouse step running now: ValidateBatch's statements of the reporting layer's tests count apart.
  let validating: string | null = null;
  const onStatement = (label: string, ms: number): void => {
    if (validating !== null && isReportingLayerTest(label)) timingOf(validating).reportingTestMs += ms;
  };
  const onEvent = (event: PipelineEvent): void => {
    if (event.type !== 'step-finished' && event.type !== 'step-started') return;
    if (event.batchId === null) return;
    if (event.step === 'ValidateBatch') validating = event.type === 'step-started' ? event.batchId : null;
    const timing = timingOf(event.batchId);
    const now = performance.now();
    if (event.step === 'NormalizeTable') {
      // The six tables run concurrently (Map state): their wall time is first start to last finish.
      if (event.type === 'step-started') timing.normalizeStart = Math.min(timing.normalizeStart, now);
      else timing.normalizeEnd = Math.max(timing.normalizeEnd, now);
    }
    if (event.type !== 'step-finished') return;
    const name = event.table ? `${event.step} ${event.table}` : event.step;
    timing.stepMs[name] = (timing.stepMs[name] ?? 0) + event.ms;
    process.stderr.write(`  [${event.batchId}] ${name.padEnd(28)} ${(event.ms / 1000).toFixed(2).padStart(7)} s\n`);
  };
  let seconds = 0;
  const processed: BatchSummary[] = [];
  let failure: string | null = null;
  for (const run of spec.runs) {
    const started = performance.now();
    const summary = await runPipeline({
      lakeDir: run.lakeDir,
      dbPath: spec.dbPath,
      config: { environment: 'bench', freshness: parseFreshness(undefined) },
      ...(run.batchId === undefined ? {} : { batchId: run.batchId }),
      tuning: { onStatement },
      onEvent,
    });
    seconds += (performance.now() - started) / 1000;
    processed.push(...summary.batches);
    if (summary.failure) {
      failure = `${summary.failure.subject}: ${summary.failure.message}`;
      break;
    }
    if (run.snapshotTo !== undefined) copyToDisk(spec.dbPath, run.snapshotTo);
  }
  const batches = processed.map((batch): BatchTiming => {
    const timing = timingOf(batch.batchId);
    const stepMs = { ...timing.stepMs };
    if (timing.normalizeEnd > 0) stepMs.NormalizeTable = timing.normalizeEnd - timing.normalizeStart;
    return {
      batchId: batch.batchId,
      seconds: batch.seconds,
      rawRows: batch.tables.reduce((sum, t) => sum + t.rawRows, 0),
      stagedRows: batch.tables.reduce((sum, t) => sum + t.stagedRows, 0),
      versionsCreated: batch.versionsCreated,
      factRowsUpserted: batch.factRowsUpserted,
      stepMs,
      reportingTestMs: timing.reportingTestMs,
    };
  });
  return {
    kind: 'pipeline',
    seconds,
    maxRssBytes: maxRssBytes(),
    batches,
    failure,
    tableRowsBefore,
    tableRows: await warehouseRows(spec.dbPath),
    dbBytes: statSync(spec.dbPath).size,
  };
}

const COUNTED_TABLES = [
  'history.customer_changes',
  'history.product_changes',
  'history.orders',
  'history.order_items',
  'history.payments',
  'history.shipments',
  'dw.dim_customers',
  'dw.dim_products',
  'dw.fact_order_items',
  'dw.fact_payments',
] as const;

async function warehouseRows(dbPath: string): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(dbPath);
  const connection = await instance.connect();
  try {
    const sql = COUNTED_TABLES.map((t) => `select '${t}' as name, count(*)::bigint as n from ${t}`).join(' union all ');
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
    return Object.fromEntries(rows.map((r) => [String(r.name), Number(r.n)]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function replicate(spec: Extract<ScenarioSpec, { kind: 'replicate' }>): Promise<ReplicateResult> {
  const started = performance.now();
  rmSync(spec.dbPath, { force: true });
  rmSync(`${spec.dbPath}.wal`, { force: true });
  copyToDisk(spec.fromDb, spec.dbPath);
  await replicateHistory(spec.dbPath, spec.copies, spec.coldKeys);
  return {
    kind: 'replicate',
    seconds: (performance.now() - started) / 1000,
    maxRssBytes: maxRssBytes(),
    tableRows: await warehouseRows(spec.dbPath),
    dbBytes: statSync(spec.dbPath).size,
  };
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

// Run as a script: the spec is the first argument.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ScenarioSpec;
  runScenario(spec).then(
    (result) => {
      const cpu = process.cpuUsage();
      process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`scenario ${spec.kind} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
