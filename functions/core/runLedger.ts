import { isSourceTable, type SourceTable } from './contract.js';
import type { WarehouseEngine } from './engine/types.js';
import type { Lake } from './lake/lake.js';

/** Rows of one table in the batch, raw to staged (audit.table_loads). */
export interface TableLoad {
  readonly table: SourceTable;
  readonly files: number;
  readonly unreadableFiles: number;
  readonly rawRows: number;
  readonly silverRows: number;
  readonly quarantinedRows: number;
  readonly stagedRows: number;
  readonly extraColumns: string[];
  /** Files quarantined whole (unreadable, an unsupported extension, a required column missing), with the reason. */
  readonly problemFiles: { readonly file: string; readonly reason: string }[];
}

/** A test that warned in a batch's run, as audit.test_results recorded it. */
export interface WarnedTest {
  readonly test: string;
  readonly failingRows: number;
  /** Up to 5 sample keys, comma-separated, as the test recorded them. */
  readonly sampleKeys: string | null;
}

/** What one processed batch did, as the warehouse's ledger records it. */
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
  /** From the run's start (its discovery) to its end (MarkBatchDone), as audit.batches timed them. */
  readonly seconds: number;
}

/** What the ledger is read from: the warehouse, and the lake for the files a table's normalization quarantined whole. */
export interface LedgerSources {
  readonly engine: WarehouseEngine;
  readonly lake: Lake;
}

/**
 * The summaries of successful batch runs, in the order of `runIds`, built from
 * the ledger after the run: audit.runs (figures), audit.batches (timing),
 * audit.table_loads (row conservation) and audit.test_results (what warned);
 * the files quarantined whole come from the normalization manifests in the
 * lake. The same for a local run and a cloud one; a run id without an
 * audit.runs row (not done) has no summary.
 */
export async function runSummary(sources: LedgerSources, runIds: readonly string[]): Promise<BatchSummary[]> {
  if (runIds.length === 0) return [];
  const { engine } = sources;
  const params = Object.fromEntries(runIds.map((id, i) => [`run_id_${i}`, id]));
  const runList = runIds.map((_, i) => `:run_id_${i}`).join(', ');
  const runs = await engine.query({
    label: 'ledger: runs',
    sql: `select runs.run_id, runs.batch_id, runs.versions_created, runs.fact_rows_upserted, runs.tests_passed, runs.tests_warned, runs.tests_failed,
                 ledger.started_at, runs.finished_at
          from audit.runs as runs
          left join audit.batches as ledger on ledger.run_id = runs.run_id
          where runs.run_id in (${runList})`,
    params,
  });
  const loads = await engine.query({
    label: 'ledger: table loads',
    sql: `select run_id, batch_id, table_name, files, unreadable_files, raw_rows, silver_rows, quarantined_rows, staged_rows, extra_columns
          from audit.table_loads where run_id in (${runList}) order by table_name`,
    params,
  });
  const warned = await engine.query({
    label: 'ledger: warned tests',
    sql: `select run_id, test_name, failing_rows, sample_keys from audit.test_results
          where run_id in (${runList}) and status = 'warn' order by test_name`,
    params,
  });
  const summaries: BatchSummary[] = [];
  for (const runId of runIds) {
    const run = runs.find((r) => r.run_id === runId);
    if (run === undefined) continue;
    const batchId = String(run.batch_id);
    const tables: TableLoad[] = [];
    for (const load of loads.filter((l) => l.run_id === runId)) tables.push(await tableLoad(sources.lake, batchId, load));
    summaries.push({
      batchId,
      runId,
      tables,
      versionsCreated: Number(run.versions_created ?? 0),
      factRowsUpserted: Number(run.fact_rows_upserted ?? 0),
      testsPassed: Number(run.tests_passed ?? 0),
      testsWarned: Number(run.tests_warned ?? 0),
      testsFailed: Number(run.tests_failed ?? 0),
      warnedTests: warned
        .filter((w) => w.run_id === runId)
        .map((w) => ({ test: String(w.test_name), failingRows: Number(w.failing_rows), sampleKeys: w.sample_keys === null ? null : String(w.sample_keys) })),
      seconds: secondsBetween(run.started_at, run.finished_at),
    });
  }
  return summaries;
}

async function tableLoad(lake: Lake, batchId: string, load: Record<string, unknown>): Promise<TableLoad> {
  const table = String(load.table_name);
  if (!isSourceTable(table)) throw new TypeError(`audit.table_loads names '${table}', not a source table`);
  // The ledger counts unreadable files; which files and why, the normalization manifest says.
  const manifest = await lake.readManifest(table, batchId);
  return {
    table,
    files: Number(load.files),
    unreadableFiles: Number(load.unreadable_files),
    rawRows: Number(load.raw_rows),
    silverRows: Number(load.silver_rows),
    quarantinedRows: Number(load.quarantined_rows),
    stagedRows: Number(load.staged_rows),
    extraColumns: load.extra_columns === null || load.extra_columns === '-' || load.extra_columns === '' ? [] : String(load.extra_columns).split(','),
    problemFiles: (manifest?.files ?? []).filter((f) => f.fileError !== null).map((f) => ({ file: f.file, reason: f.fileError ?? '' })),
  };
}

// Timestamps come back as text ('2024-01-03 01:00:00.123456', UTC), or as a Date from some drivers.
function secondsBetween(from: unknown, to: unknown): number {
  const start = epochMs(from);
  const end = epochMs(to);
  return start === null || end === null ? 0 : Math.max(0, end - start) / 1000;
}

function epochMs(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  const match = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(String(value ?? ''));
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number(`0.${fraction ?? '0'}`) * 1000;
}
