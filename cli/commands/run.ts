import type { Command } from 'commander';
import type { EcomdwConfig } from '../../functions/core/config.js';
import { listBatches } from '../../functions/core/lake/batches.js';
import { LocalLake } from '../../functions/core/lake/localLake.js';
import { ConfigError, InterruptedError } from '../../functions/core/errors.js';
import { listenForInterruption } from '../interruption.js';
import { runPipeline, type RunSummary } from '../../functions/local/localRunner.js';
import { COMPRESSION_HELP, MEMORY_LIMIT_HELP, type ConfigOf } from '../options.js';
import { describeEvent, interruptedRun, lakeFindings, progress, runOutcome, shownPath, summaryTable, warnedTestLines } from '../output.js';

export interface RunFlags {
  lake?: string;
  db?: string;
  batch?: string;
  force?: boolean;
  json?: boolean;
  memoryLimit?: string;
  compression?: string;
}

/** Runs the state machine for every pending batch (or one); prints progress and a summary. */
export async function runCommand(flags: RunFlags, config: EcomdwConfig): Promise<RunSummary> {
  if (flags.force && flags.batch === undefined) throw new ConfigError('--force re-runs one batch: give it with --batch <id>');
  await listBatches(new LocalLake(config.lake), flags.batch, { force: flags.force });
  // Progress goes to stderr in every mode; with --json, stdout carries the JSON document alone.
  progress(`ecomdw run: lake ${config.lake}, warehouse ${config.db}`);
  const interruption = listenForInterruption();
  let summary: RunSummary;
  try {
    summary = await runPipeline({
      lakeDir: config.lake,
      dbPath: config.db,
      memoryLimit: config.memoryLimit,
      compression: config.compression,
      traceSql: config.traceSql,
      config,
      batchId: flags.batch,
      force: flags.force,
      signal: interruption.signal,
      onEvent: (event) => {
        // Once interrupted, the failure it causes is told in one line at the end.
        if (interruption.received() !== null) return;
        const line = describeEvent(event);
        if (line) progress(line);
      },
    });
  } finally {
    interruption.dispose();
  }
  if (config.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const signal = interruption.received();
  if (signal !== null) throw new InterruptedError(signal, interruptedRun(summary));
  if (!config.json) {
    if (summary.batches.length > 0) process.stdout.write(`${summaryTable(summary.batches)}\n`);
    for (const line of warnedTestLines(summary.batches, config.freshness)) process.stdout.write(`${line}\n`);
    for (const line of lakeFindings(summary)) process.stdout.write(`${line}\n`);
    process.stdout.write(`${runOutcome(summary)}\n`);
    if (summary.batches.length > 0) {
      const dbFlag = `--db ${shownPath(config.db)}`;
      process.stdout.write(`explore it: ecomdw sql "select * from dw.fact_order_items limit 10" ${dbFlag}   |   ecomdw report ${dbFlag}\n`);
    }
  }
  if (summary.failure) process.exitCode = 1;
  return summary;
}

/** Registers `ecomdw run`. */
export function registerRun(program: Command, configOf: ConfigOf): void {
  program
    .command('run')
    .description('run the pipeline state machine for every pending batch, oldest first (or for one batch)')
    .option('--lake <dir>', 'lake folder (env ECOMDW_LAKE)', undefined)
    .option('--db <file>', 'warehouse DuckDB file (env ECOMDW_DB)', undefined)
    .option('--batch <id>', 'process only this batch')
    .option('--force', 're-run a batch that is already done (with --batch), from its raw files as they are now; a batch gone from the lake is withdrawn')
    .option('--memory-limit <size>', MEMORY_LIMIT_HELP)
    .option('--compression <mode>', COMPRESSION_HELP)
    .option('--json', 'print the run summary as JSON on stdout (progress stays on stderr)')
    .action(async (flags: RunFlags) => {
      await runCommand(flags, configOf());
    });
}
