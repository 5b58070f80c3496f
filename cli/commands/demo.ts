import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateLake, SUMMARY_FILE } from '../../generator/generateLake.js';
import type { EcomdwConfig } from '../../functions/core/config.js';
import { DuckDbEngine } from '../../functions/core/engine/duckdbEngine.js';
import { sqlStatement } from '../../functions/core/sql/files.js';
import { bootstrapWarehouse } from '../../functions/core/steps/bootstrap.js';
import { ConfigError, InterruptedError } from '../../functions/core/errors.js';
import { listenForInterruption } from '../interruption.js';
import { checkPipelineAhead, runPipeline, type RunSummary } from '../../functions/local/localRunner.js';
import { positiveNumber, wholeNumber, type ConfigOf } from '../options.js';
import { describeEvent, interruptedRun, lakeFindings, progress, runOutcome, shownPath, summaryTable, warnedTestLines } from '../output.js';
import { writeReport } from './report.js';
import { buildReport } from '../../functions/report/buildReport.js';
import { reportRequest } from '../../functions/report/request.js';
import type { Report } from '../../functions/report/types.js';

export interface DemoFlags {
  dir: string;
  scale: number;
  days: number;
  json?: boolean;
  verbose?: boolean;
  report?: boolean;
}

/** Name of the HTML report the demo writes into its folder. */
export const DEMO_REPORT_FILE = 'report.html';

/**
 * The demo's warehouse is small: every table fits in one DuckDB row group, so a
 * second thread has nothing to scan in parallel and only adds scheduling, and
 * all its changes fit in memory, so it checkpoints once, when it closes,
 * instead of every two or three batches. It is also disposable (each demo
 * starts from a fresh folder, and its lake rebuilds it): it writes no WAL
 * ('checkpoint' durability), so a demo killed midway leaves the file as it was
 * at the start, which `ecomdw run` then loads from the lake. That one
 * checkpoint writes the file uncompressed: 81 MB instead of 32, in 0.3 s
 * instead of 0.8 (`ecomdw run` on that warehouse compresses what it rewrites). Measured on the
 * 2-core machine (`npm start`, quiet): see docs/benchmarks.md. `ecomdw run`
 * keeps the defaults, which win on bigger lakes and keep every commit.
 */
export const DEMO_WAREHOUSE = { threads: 1, checkpointThreshold: '1GB', durability: 'checkpoint', compression: 'none', reusePlans: true } as const;

/** Revenue reconciliation printed at the end of the demo. */
export interface RevenueReconciliation {
  readonly factItems: number;
  readonly factNetRevenue: string;
  readonly latestItemsNetRevenue: string;
  readonly factPayments: string;
  readonly latestPayments: string;
  readonly reconciled: boolean;
}

/** Generates a few days of sample data into a fresh folder, runs every batch, prints a summary. */
export async function demoCommand(flags: DemoFlags, config: EcomdwConfig): Promise<void> {
  const dir = path.resolve(flags.dir);
  const lake = path.join(dir, 'lake');
  const db = path.join(dir, 'warehouse.duckdb');
  freshDemoFolder(lake, db);
  // Progress goes to stderr in every mode; with --json, stdout carries the JSON document alone.
  const say = progress;
  const started = performance.now();
  const interruption = listenForInterruption();
  let summary: RunSummary;
  let engine: DuckDbEngine | null = null;
  try {
    say(`ecomdw demo: generating ${flags.days} daily batches at scale ${flags.scale} into ${lake}`);
    // The run's ASL check (~0.35 s of CPU) goes on a worker thread while the lake is generated,
    // and the warehouse's tables are created meanwhile (the run's DiscoverBatch then finds them built).
    checkPipelineAhead();
    // Opened here, not by the run: the reconciliation and the report read it before it is closed.
    engine = await DuckDbEngine.open({ path: db, lakeRoot: lake, memoryLimit: config.memoryLimit, traceSql: config.traceSql, ...DEMO_WAREHOUSE });
    // Its failure is the run's to report, in its DiscoverBatch state, as on any warehouse.
    const bootstrapped = bootstrapWarehouse(engine).catch(() => undefined);
    await generateLake({ out: lake, scale: flags.scale, days: flags.days, seed: 42, format: 'mixed', onProgress: (m) => say(`  ${m}`) });
    await bootstrapped;
    const signal = interruption.received();
    if (signal !== null) throw new InterruptedError(signal, `the demo stopped after generating ${lake}`);
    say(`running the pipeline into ${db}`);
    summary = await runPipeline({
      lakeDir: lake,
      dbPath: db,
      engine,
      normalizeAhead: true,
      config,
      signal: interruption.signal,
      onEvent: (event) => {
        // A line per batch as it finishes; the steps' lines with --verbose.
        const wanted = flags.verbose === true || event.type !== 'step-finished';
        const line = wanted ? describeEvent(event) : null;
        if (line && interruption.received() === null) say(line);
      },
    });
  } catch (error) {
    await engine?.close();
    throw error;
  } finally {
    interruption.dispose();
  }
  const warehouse = engine;
  const signal = interruption.received();
  if (signal !== null) {
    await warehouse.close();
    throw new InterruptedError(signal, interruptedRun(summary));
  }
  const wantsReport = flags.report !== false && summary.batches.length > 0;
  let reconciliation: RevenueReconciliation;
  let pipelineSeconds: number;
  let reportData: { report: Report; started: number } | null = null;
  try {
    reconciliation = await reconcileRevenue(warehouse);
    pipelineSeconds = (performance.now() - started) / 1000;
    if (wantsReport) {
      const reportStarted = performance.now();
      reportData = await buildReport(warehouse, reportRequest({}))
        .then((report) => ({ report, started: reportStarted }))
        .catch(reportNotWritten);
    }
  } catch (error) {
    await warehouse.close();
    throw error;
  }
  // Closing checkpoints the warehouse (~0.9 s here, off the JavaScript thread) while the report is rendered.
  const closing = warehouse.close();
  const report = reportData === null ? null : await writeDemoReport(dir, reportData.report, reportData.started).catch(reportNotWritten);
  await closing;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...summary, reconciliation, report }, null, 2)}\n`);
  } else {
    if (summary.batches.length > 0) process.stdout.write(`${summaryTable(summary.batches)}\n`);
    for (const line of warnedTestLines(summary.batches, config.freshness)) process.stdout.write(`${line}\n`);
    for (const line of lakeFindings(summary)) process.stdout.write(`${line}\n`);
    process.stdout.write(`${runOutcome(summary)} in ${pipelineSeconds.toFixed(1)} s\n`);
    process.stdout.write(
      `revenue reconciliation: fact_order_items net ${reconciliation.factNetRevenue} over ${reconciliation.factItems} items ` +
        `vs latest live items ${reconciliation.latestItemsNetRevenue}; fact_payments ${reconciliation.factPayments} vs latest payments ` +
        `${reconciliation.latestPayments} → ${reconciliation.reconciled ? 'OK' : 'MISMATCH'}\n`,
    );
    if (report) process.stdout.write(`HTML report: ${report.path} (written in ${report.seconds.toFixed(1)} s; open it in a browser)\n`);
    process.stdout.write(`${followUpHints(lake, db).join('\n')}\n`);
  }
  if (summary.failure || !reconciliation.reconciled || (report === null && wantsReport)) process.exitCode = 1;
}

/** The commands to look further, with the demo's own paths. */
export function followUpHints(lake: string, db: string): string[] {
  const cli = 'npm run ecomdw --';
  const dbFlag = `--db ${shownPath(db)}`;
  return [
    'explore it:',
    `  ${cli} sql "select * from dw.fact_order_items limit 10" ${dbFlag}`,
    `  ${cli} report ${dbFlag}`,
    `  ${cli} validate --lake ${shownPath(lake)} ${dbFlag}`,
  ];
}

// The run's outcome stays the headline: a report that cannot be written is told, and fails the demo, after the summary.
function reportNotWritten(error: unknown): null {
  progress(`HTML report not written: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  return null;
}

async function writeDemoReport(dir: string, report: Report, started: number): Promise<{ path: string; seconds: number }> {
  const out = path.join(dir, DEMO_REPORT_FILE);
  await writeReport(report, 'html', out);
  return { path: shownPath(out), seconds: (performance.now() - started) / 1000 };
}

// The demo owns its folder: it recreates a folder it made, and refuses to touch anything else.
function freshDemoFolder(lake: string, db: string): void {
  if (existsSync(lake) && !existsSync(path.join(lake, SUMMARY_FILE))) {
    throw new ConfigError(`${lake} exists and was not made by the demo: choose another --dir`);
  }
  rmSync(lake, { recursive: true, force: true });
  rmSync(path.join(path.dirname(lake), DEMO_REPORT_FILE), { force: true });
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  // The warehouse is created before the lake is generated into the folder.
  mkdirSync(path.dirname(db), { recursive: true });
}

async function reconcileRevenue(engine: DuckDbEngine): Promise<RevenueReconciliation> {
  const [row] = await engine.query(sqlStatement('demo/revenue_reconciliation.sql', engine.dialect));
  const r = row ?? {};
  return {
    factItems: Number(r.fact_items),
    factNetRevenue: String(r.fact_net),
    latestItemsNetRevenue: String(r.latest_net),
    factPayments: String(r.fact_payments),
    latestPayments: String(r.latest_payments),
    reconciled: Number(r.fact_net) === Number(r.latest_net) && Number(r.fact_payments) === Number(r.latest_payments),
  };
}

/** Registers `ecomdw demo`. */
export function registerDemo(program: Command, configOf: ConfigOf): void {
  program
    .command('demo')
    .description('generate sample data into a fresh folder, run every batch, print a summary (the `npm start` default)')
    .option('--dir <folder>', 'demo folder (recreated if the demo made it)', './data')
    .option('--scale <n>', 'generator scale', positiveNumber, 0.1)
    .option('--days <d>', 'number of daily batches', wholeNumber, 7)
    .option('--json', 'print the summary as JSON on stdout (progress stays on stderr)')
    .option('--verbose', 'a progress line per step, not only per batch')
    .option('--no-report', `skip the HTML report (<dir>/${DEMO_REPORT_FILE})`)
    .addHelpText(
      'after',
      '\nThe demo warehouse is written once, uncompressed, when the demo ends (Ctrl-C included), with no\n' +
        'write-ahead log: a demo killed midway leaves it as it was at the start, and\n' +
        '`ecomdw run --lake <dir>/lake --db <dir>/warehouse.duckdb` loads the lake into it. `ecomdw run` keeps every commit.',
    )
    .action(async (flags: DemoFlags) => {
      await demoCommand(flags, configOf());
    });
}
