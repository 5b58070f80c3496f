import path from 'node:path';
import Table from 'cli-table3';
import type { PipelineConfig } from '../functions/core/config.js';
import type { BatchSummary, PipelineEvent, RunSummary, StepFinishedEvent, WarnedTest } from '../functions/local/localRunner.js';

/** Where human-readable progress goes: stderr, so that --json output on stdout stays clean. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A path as a user would type it: relative to the working directory when under it, else absolute; quoted when it holds a space. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  const shown = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
  return /[\s'"$`\\]/.test(shown) ? `'${shown.replace(/'/g, `'\\''`)}'` : shown;
}

/** One progress line per finished or failed step. */
export function describeEvent(event: PipelineEvent): string | null {
  switch (event.type) {
    case 'step-started':
      return null;
    case 'step-finished': {
      const where = event.table ? `${event.step} ${event.table}` : event.step;
      const batch = event.batchId ? `[${event.batchId}] ` : '';
      return `  ${batch}${where.padEnd(26)} ${(event.ms / 1000).toFixed(2).padStart(6)} s${detail(event)}`;
    }
    case 'step-failed':
      return `  [${event.batchId ?? '-'}] ${event.step}${event.table ? ` ${event.table}` : ''} FAILED: ${event.error.name}: ${event.error.message}`;
    case 'batch-finished':
      return batchLine(event.batch);
    case 'alert':
      return `ALERT: ${event.alert.subject}\n  ${event.alert.message}`;
    case 'leftovers-removed':
      return `removed ${event.paths.length} half-written folder(s) a killed run left in the lake: ${event.paths.join(', ')}`;
  }
}

/** One line per finished batch, with its figures. */
export function batchLine(batch: BatchSummary): string {
  const sum = (pick: (t: BatchSummary['tables'][number]) => number): number => batch.tables.reduce((total, t) => total + pick(t), 0);
  return (
    `batch ${batch.batchId} done in ${batch.seconds.toFixed(1)} s: ${count(sum((t) => t.rawRows))} raw rows → ${count(sum((t) => t.silverRows))} silver + ` +
    `${count(sum((t) => t.quarantinedRows))} quarantined; ${count(batch.versionsCreated)} SCD2 versions created; ` +
    `${count(batch.factRowsUpserted)} fact rows upserted; tests ${batch.testsPassed} passed, ${batch.testsWarned} warned, ${batch.testsFailed} failed`
  );
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

// What a finished step did, in a few words, by the step's own result type.
function detail(event: StepFinishedEvent): string {
  switch (event.step) {
    case 'DiscoverBatch': {
      const found = event.result;
      return found?.batchId ? `  → batch ${found.batchId} (${found.tables.join(', ')}), ${found.pendingAfter} more pending` : '';
    }
    case 'NormalizeTable':
      return event.result ? `  ${event.result.rawRows} raw → ${event.result.silverRows} silver + ${event.result.quarantinedRows} quarantined` : '';
    case 'BuildDimensions':
      return event.result ? `  ${event.result.versionsCreated} versions created` : '';
    case 'BuildFacts':
      return event.result ? `  ${event.result.factRowsUpserted} fact rows upserted` : '';
    case 'ValidateBatch':
      return event.result ? `  ${event.result.passed} passed, ${event.result.warned} warned, ${event.result.failed} failed` : '';
    case 'LoadStaging':
    case 'BuildMarts':
    case 'MarkBatchDone':
    case 'RecordFailure':
      return '';
  }
}

/** A borderless-rows table, readable in a terminal and in a log. */
export function compactTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
}

/** The end-of-run table: per batch and table, rows in, silver, quarantined; per batch, gold figures. */
export function summaryTable(batches: readonly BatchSummary[]): string {
  const table = compactTable(['batch', 'table', 'raw', 'silver', 'quarantined', 'versions created', 'fact rows upserted', 'tests p/w/f', 'seconds']);
  for (const batch of batches) {
    batch.tables.forEach((t, i) => {
      const first = i === 0;
      table.push([
        first ? batch.batchId : '',
        t.table,
        t.rawRows,
        t.silverRows,
        t.quarantinedRows,
        first ? batch.versionsCreated : '',
        first ? batch.factRowsUpserted : '',
        first ? `${batch.testsPassed}/${batch.testsWarned}/${batch.testsFailed}` : '',
        first ? batch.seconds.toFixed(1) : '',
      ]);
    });
  }
  return table.toString();
}

/**
 * The tests that warned, one line per test: in which batches, and the latest
 * batch's failing rows and sample keys (as audit.test_results holds them). A
 * freshness warning also says the threshold it was held against.
 */
export function warnedTestLines(batches: readonly BatchSummary[], freshness: PipelineConfig['freshness']): string[] {
  const byTest = new Map<string, { batchId: string; warned: WarnedTest }[]>();
  for (const batch of batches) {
    for (const warned of batch.warnedTests) byTest.set(warned.test, [...(byTest.get(warned.test) ?? []), { batchId: batch.batchId, warned }]);
  }
  if (byTest.size === 0) return [];
  const lines = [`tests that warned (sample keys of the latest batch it warned in; every result is in audit.test_results):`];
  for (const [test, seen] of [...byTest].sort(([a], [b]) => a.localeCompare(b))) {
    const latest = seen.at(-1)!;
    const where = seen.length === 1 ? `batch ${latest.batchId}` : `${seen.length} of ${batches.length} batches, latest ${latest.batchId}`;
    const rows = `${count(latest.warned.failingRows)} row${latest.warned.failingRows === 1 ? '' : 's'}`;
    lines.push(`  ${test} (${where}): ${rows}: ${describeSample(test, latest.warned.sampleKeys, freshness)}`);
  }
  return lines;
}

const FRESHNESS_TEST = /^(\w+)\.freshness_(warn|error)$/;

function describeSample(test: string, sampleKeys: string | null, freshness: PipelineConfig['freshness']): string {
  const keys = sampleKeys ?? '(no sample keys)';
  const match = FRESHNESS_TEST.exec(test);
  if (!match) return keys;
  const threshold = freshness[match[1] as keyof typeof freshness]?.[match[2] === 'warn' ? 'warnAfterHours' : 'errorAfterHours'];
  const age = keys.replace(/ is (\d+(?:\.\d+)?) h old/, (_, hours: string) => ` is ${Number(hours).toLocaleString('en-US')} h old`);
  return threshold == null ? age : `${age}, ${match[2]} after ${count(threshold)} h (ECOMDW_FRESHNESS)`;
}

/** The closing lines of a run. */
export function runOutcome(summary: RunSummary): string {
  if (summary.failure) return `run FAILED: ${summary.failure.message}`;
  const processed = summary.batches.length;
  return processed === 0 ? `nothing to do: ${summary.note ?? 'no pending batch'}` : `${processed} batch(es) processed${summary.note ? `; ${summary.note}` : ''}`;
}

/**
 * What in the lake needs a look, in words: files quarantined whole, objects
 * no batch reads, and done batches whose raw files changed (with the command
 * that processes them again). Empty when there is nothing to say.
 */
export function lakeFindings(summary: RunSummary): string[] {
  const lines: string[] = [];
  const problems = summary.batches.flatMap((b) => b.tables.flatMap((t) => t.problemFiles));
  if (problems.length > 0) {
    lines.push(`${problems.length} file(s) quarantined whole:`);
    for (const p of problems) lines.push(`  ${p.file}: ${p.reason}`);
  }
  if (summary.strayFiles.length > 0) {
    lines.push(`${summary.strayFiles.length} file(s) under raw/ that no batch reads:`);
    for (const stray of summary.strayFiles) lines.push(`  ${stray.path}: ${stray.reason}`);
  }
  for (const changed of summary.changedBatches) {
    const parts = [
      changed.added.length > 0 ? `${changed.added.length} added (${changed.added.join(', ')})` : null,
      changed.removed.length > 0 ? `${changed.removed.length} removed (${changed.removed.join(', ')})` : null,
      changed.changed.length > 0 ? `${changed.changed.length} changed (${changed.changed.join(', ')})` : null,
    ].filter((p): p is string => p !== null);
    lines.push(`WARNING: batch ${changed.batchId} is done, but its raw files changed since it was processed: ${parts.join('; ')}.`);
    lines.push(`  The warehouse holds its rows from the old files. To process it again from the files as they are now: ${changed.command}`);
  }
  return lines;
}

/** What an interrupted run left: the batch marked failed (its running step rolled back), or nothing started. */
export function interruptedRun(summary: RunSummary): string {
  const done = summary.batches.length > 0 ? `${summary.batches.length} batch(es) done before it; ` : '';
  const batch = summary.failure?.batchId;
  return batch
    ? `${done}batch ${batch} marked failed, its running step rolled back; \`ecomdw run\` processes it again`
    : `${done}no batch was running`;
}
