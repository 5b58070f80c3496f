/**
 * Profiles one step of one batch with DuckDB's EXPLAIN ANALYZE:
 *
 *   npx tsx bench/profile.ts --lake <dir> --from-db <file> --batch <id> --step BuildFacts [--out <dir>]
 *
 * Copies the warehouse file, runs the batch (forced: give a warehouse where it
 * is not done yet to profile BuildMarts, whose diff of a batch it already
 * recorded is empty), and runs the step's statements one
 * by one under EXPLAIN ANALYZE (each committing alone, automatic checkpoints off;
 * one checkpoint after them is timed apart), writing each plan to <out>/NN-<label>.txt and printing the
 * statements by time. The other steps run as usual.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runPipeline } from '../functions/local/localRunner.js';
import { parseFreshness } from '../functions/core/config.js';
import type { Statement } from '../functions/core/engine/types.js';
import { sqlStatements, readSqlFile } from '../functions/core/sql/files.js';
import { renderSql } from '../functions/core/sql/render.js';
import { DIMENSION_FILES, FACT_DAY_FILES, FACT_FILES, MART_FILES } from '../functions/core/pipelineManifest.js';
import { buildDimensions } from '../functions/core/steps/buildDimensions.js';
import { buildFacts } from '../functions/core/steps/buildFacts.js';
import { buildMarts } from '../functions/core/steps/buildMarts.js';
import type { BatchRef, StepContext } from '../functions/core/steps/context.js';
import { dataTests } from '../functions/core/steps/dataTests.js';
import { validateBatch } from '../functions/core/steps/validateBatch.js';

const PROFILED_STEPS = ['BuildDimensions', 'BuildFacts', 'BuildMarts', 'ValidateBatch'] as const;
type ProfiledStep = (typeof PROFILED_STEPS)[number];

const { values } = parseArgs({
  options: {
    lake: { type: 'string' },
    'from-db': { type: 'string' },
    db: { type: 'string' },
    batch: { type: 'string' },
    step: { type: 'string', default: 'BuildFacts' },
    out: { type: 'string', default: path.join(os.tmpdir(), 'ecomdw-profile') },
  },
});
const step = values.step as ProfiledStep;
if (!values.lake || !values['from-db'] || !values.batch || !PROFILED_STEPS.includes(step)) {
  process.stderr.write(`usage: tsx bench/profile.ts --lake <dir> --from-db <file> --batch <id> --step ${PROFILED_STEPS.join('|')} [--out <dir>]\n`);
  process.exit(2);
}
const dbPath = values.db ?? path.join(path.dirname(values['from-db']), 'profile.duckdb');
rmSync(dbPath, { force: true });
rmSync(`${dbPath}.wal`, { force: true });
copyFileSync(values['from-db'], dbPath);
rmSync(values.out, { recursive: true, force: true });
mkdirSync(values.out, { recursive: true });

// The statements a step runs, in order (data tests as the counts they compute).
async function statementsOf(context: StepContext, batch: BatchRef): Promise<Statement[]> {
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  const dialect = context.engine.dialect;
  if (step === 'BuildDimensions') return DIMENSION_FILES.flatMap((file) => sqlStatements(file, dialect, params));
  if (step === 'BuildFacts') return [...FACT_FILES, ...FACT_DAY_FILES].flatMap((file) => sqlStatements(file, dialect, params));
  if (step === 'BuildMarts') {
    const [next] = await context.engine.query({ sql: 'select coalesce(max(load_seq), 0) + 1 as load_seq from known.loads' });
    return MART_FILES.flatMap((file) => sqlStatements(file, dialect, { ...params, load_seq: Number(next?.load_seq ?? 1) }));
  }
  return dataTests(context.config).map((test) => {
    const sql = `select count(*) from (${renderSql(readSqlFile(test.file), dialect, test.file)}) as failing`;
    // DuckDB refuses a named parameter the statement does not use.
    const used = Object.entries({ ...params, ...test.params }).filter(([name]) => new RegExp(`(?<![:\\w]):${name}\\b`).test(sql));
    return { label: test.name, sql, params: Object.fromEntries(used) };
  });
}

interface PlanNode {
  readonly operator_name?: string;
  readonly system_peak_buffer_memory?: number;
  readonly operator_timing?: number;
  readonly operator_cardinality?: number;
  readonly operator_rows_scanned?: number;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly PlanNode[];
}

// One line per operator: time, rows out, rows scanned, then what it does (join conditions, table, filters).
function compactPlan(node: PlanNode, depth = 0): string {
  const info = Object.entries(node.extra_info ?? {})
    .filter(([key]) => ['Table', 'Conditions', 'Join Type', 'Filters', 'Function', 'Groups', 'Aggregates'].includes(key))
    .map(([key, value]) => `${key}: ${(Array.isArray(value) ? value.join(', ') : String(value)).replace(/\s+/g, ' ')}`)
    .join(' | ');
  const line = node.operator_name
    ? `${'  '.repeat(depth)}${node.operator_name.trim()}  ${((node.operator_timing ?? 0) * 1000).toFixed(0)} ms, ${node.operator_cardinality ?? 0} rows` +
      `${node.operator_rows_scanned ? `, ${node.operator_rows_scanned} scanned` : ''}${info ? `  [${info.slice(0, 300)}]` : ''}`
    : null;
  const children = (node.children ?? []).map((child) => compactPlan(child, line === null ? depth : depth + 1));
  return [line, ...children].filter((l) => l !== null && l !== '').join('\n');
}

const timings: { label: string; ms: number; peakBytes?: number }[] = [];
async function profiled(payload: unknown, context: StepContext): Promise<unknown> {
  const batch = payload as BatchRef;
  // Each profiled statement commits on its own: without this, whichever statement pushes
  // the WAL past the threshold would carry the whole checkpoint. It is timed apart below.
  await context.engine.query({ sql: 'checkpoint' });
  await context.engine.query({ sql: `set checkpoint_threshold = '1TB'` });
  for (const [index, statement] of (await statementsOf(context, batch)).entries()) {
    const explainable = /^\s*(insert|delete|update|create|select|with)\b/i.test(statement.sql);
    const sql = explainable ? `explain (analyze, format json) ${statement.sql}` : statement.sql;
    const started = performance.now();
    const rows = await context.engine.query({ ...statement, sql });
    const ms = performance.now() - started;
    const roots = rows.map((r) => (r.explain_value ? (JSON.parse(String(r.explain_value)) as PlanNode) : null)).filter((r) => r !== null);
    const plan = roots.map((root) => compactPlan(root)).join('\n');
    const peakBytes = Math.max(0, ...roots.map((root) => root.system_peak_buffer_memory ?? 0));
    timings.push({ label: statement.label ?? `#${index + 1}`, ms, peakBytes });
    const file = `${String(index + 1).padStart(2, '0')}-${(statement.label ?? 'statement').replace(/[^\w.#-]+/g, '_')}.txt`;
    writeFileSync(path.join(values.out as string, file), `${statement.sql}\n\n${plan}\n`);
  }
  const started = performance.now();
  await context.engine.query({ sql: 'checkpoint' });
  timings.push({ label: '(checkpoint of the statements above)', ms: performance.now() - started });
  await context.engine.query({ sql: 'reset checkpoint_threshold' });
  // The real step then computes its result (the steps are idempotent).
  if (step === 'BuildFacts') return buildFacts(context, batch);
  if (step === 'BuildDimensions') return buildDimensions(context, batch);
  // its statements above recorded the load: the step finds it and returns its figures
  if (step === 'BuildMarts') return buildMarts(context, batch);
  return validateBatch(context, batch);
}

const summary = await runPipeline({
  lakeDir: values.lake,
  dbPath,
  batchId: values.batch,
  force: true,
  config: { environment: 'bench', freshness: parseFreshness(undefined) },
  overrides: { [step]: profiled },
  onEvent: (event) => {
    if (event.type === 'step-finished') process.stderr.write(`  ${event.step}${event.table ? ` ${event.table}` : ''} ${(event.ms / 1000).toFixed(2)} s\n`);
  },
});
for (const t of [...timings].sort((a, b) => b.ms - a.ms)) {
  const peak = t.peakBytes === undefined ? '' : `${(t.peakBytes / 1024 ** 2).toFixed(0).padStart(6)} MiB peak buffers`;
  process.stdout.write(`${t.ms.toFixed(0).padStart(8)} ms ${peak.padStart(24)}  ${t.label}\n`);
}
process.stdout.write(`plans in ${values.out}/; ${summary.failure ? `run failed: ${summary.failure.message}` : 'run ok'}\n`);
