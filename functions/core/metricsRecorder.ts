// Types only: the local runner records metrics too, and loading Powertools would
// add ~0.08 s to every CLI start for two unit names.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { correlationIdsOf } from './correlationIds.js';
import type { Statement, WarehouseEngine } from './engine/types.js';
import { NORMALIZE_STEP, PIPELINE_STEP_MANIFEST, STEP_DURATION_METRIC } from './pipelineManifest.js';
import { sqlNow } from './sql/render.js';
import type { StepMetric } from './stepMetric.js';

/** The run a step's figures belong to: audit.metrics rows carry it. */
export interface MetricsRun {
  readonly runId: string;
  readonly batchId: string;
}

/** What one finished step reports: its own figures (those its result or error carries) and how long it took. */
export interface StepReport {
  /** The step's state name (the metrics' `step`). */
  readonly step: string;
  readonly figures: readonly StepMetric[];
  readonly durationMs: number;
}

/** Where the recorder also emits the figures as CloudWatch metrics (EMF): in Lambda. */
export interface EmfSink {
  readonly metrics: Metrics;
  /** The `environment` dimension (the stack name). */
  readonly environment: string;
}

/** Powertools' unit names (its MetricUnit values), as addMetric takes them. */
type MetricUnit = Parameters<Metrics['addMetric']>[1];
const UNITS = { Count: 'Count', Milliseconds: 'Milliseconds' } as const satisfies Record<string, MetricUnit>;
const NO_TABLE = '-';

/**
 * The one place a step's figures are recorded, in both runtimes: the local
 * runner and the Lambda handler hand it what each step returned. It writes
 * them to audit.metrics (one transaction per call) and, given an EMF sink,
 * emits them as Powertools metrics. StepDuration is added for every step.
 */
export class MetricsRecorder {
  public constructor(
    private readonly engine: WarehouseEngine,
    private readonly emf?: EmfSink,
  ) {}

  /**
   * Records steps' reports for a run: emitted first (it cannot fail), then
   * written to audit.metrics in one transaction. With no run (a discovery
   * that found no batch, RecordFailure) they are only emitted.
   */
  public async record(run: MetricsRun | null, reports: readonly StepReport[]): Promise<void> {
    for (const report of reports) assertDeclared(report);
    if (this.emf) for (const report of reports) emitStepMetrics(this.emf, report);
    if (run === null || reports.length === 0) return;
    await this.engine.transaction(metricsStatements(this.engine.dialect, run, reports));
  }

  /** Emits a step's report to the EMF sink only (a failed step: the warehouse may be what failed). */
  public emit(report: StepReport): void {
    // Unchecked: it runs while a step's error is on its way, which nothing may mask.
    if (this.emf) emitStepMetrics(this.emf, report);
  }
}

// A step reports the metrics the pipeline manifest names for it, and no others: the
// README, the dashboards and the alarms are written from that list.
function assertDeclared(report: StepReport): void {
  const declared: readonly string[] | undefined =
    report.step === NORMALIZE_STEP ? [] : PIPELINE_STEP_MANIFEST.find((entry) => entry.state === report.step)?.metrics;
  if (declared === undefined) throw new TypeError(`metrics of '${report.step}': not a step of the pipeline manifest`);
  const undeclared = report.figures.map((figure) => figure.name).filter((name) => !declared.includes(name));
  if (undeclared.length > 0) throw new TypeError(`${report.step} reports ${undeclared.join(', ')}, which the pipeline manifest does not name for it`);
}

/** The figures a step's result (or a failing step's error, e.g. DataQualityError) carries in its `metrics`. */
export function figuresOf(outcome: unknown): StepMetric[] {
  const figures = (outcome as { metrics?: unknown } | null | undefined)?.metrics;
  return Array.isArray(figures) ? (figures as StepMetric[]) : [];
}

/**
 * The run a step's figures are recorded under in audit.metrics: the batch run
 * its payload names, or (DiscoverBatch) the one its result started; null when
 * there is none (discovery found nothing to do) and for RecordFailure, the
 * Catch path of a run that failed (the warehouse may be what failed).
 */
export function metricsRunOf(step: string, payload: unknown, result: unknown): MetricsRun | null {
  if (step === 'RecordFailure') return null;
  const ids = { ...correlationIdsOf(payload), ...correlationIdsOf(result) };
  return ids.run_id !== undefined && ids.batch_id !== undefined ? { runId: ids.run_id, batchId: ids.batch_id } : null;
}

/**
 * The audit.metrics statements of steps' reports: the run's earlier figures of
 * the same steps and names go first (a step retried within its run reports
 * them once), then one multi-row insert (a statement per figure cost ~2 ms each).
 */
export function metricsStatements(dialect: WarehouseEngine['dialect'], run: MetricsRun, reports: readonly StepReport[]): Statement[] {
  const rows = reports.flatMap((report) => [
    ...report.figures.map((figure) => ({ step: report.step, table: hasTable(figure) ? figure.table : NO_TABLE, name: figure.name, value: figure.value, unit: figure.unit })),
    { step: report.step, table: NO_TABLE, name: STEP_DURATION_METRIC, value: Math.round(report.durationMs), unit: 'Milliseconds' as const },
  ]);
  const params: Record<string, string | number> = { run_id: run.runId, batch_id: run.batchId };
  const values = rows.map((row, i) => {
    params[`step_${i}`] = row.step;
    params[`table_name_${i}`] = row.table;
    params[`metric_${i}`] = row.name;
    params[`metric_value_${i}`] = row.value;
    params[`unit_${i}`] = row.unit;
    return `(:run_id, :batch_id, :step_${i}, :table_name_${i}, :metric_${i}, :metric_value_${i}, :unit_${i}, ${sqlNow(dialect)})`;
  });
  const insert: Statement = {
    label: 'metrics',
    sql: `insert into audit.metrics (run_id, batch_id, step, table_name, metric, metric_value, unit, recorded_at)
            values ${values.join(',\n                   ')}`,
    params,
  };
  return [...replaceStatements(run, reports), insert];
}

// A step's own figures of this run are replaced, not added to: a retried step reports them once.
// Its StepDuration rows are kept: each attempt took its time.
function replaceStatements(run: MetricsRun, reports: readonly StepReport[]): Statement[] {
  const params: Record<string, string> = { run_id: run.runId };
  const conditions: string[] = [];
  reports.forEach((report, i) => {
    const names = [...new Set(report.figures.map((figure) => figure.name))];
    if (names.length === 0) return;
    params[`step_${i}`] = report.step;
    names.forEach((name, j) => (params[`metric_${i}_${j}`] = name));
    conditions.push(`(step = :step_${i} and metric in (${names.map((_, j) => `:metric_${i}_${j}`).join(', ')}))`);
  });
  return conditions.length === 0 ? [] : [{ label: 'metrics: replace', sql: `delete from audit.metrics where run_id = :run_id and (${conditions.join(' or ')})`, params }];
}

/**
 * Emits a step's report as EMF. EMF carries one dimension set per blob, so each
 * table's figures are published as their own blob at once; the step-level ones
 * (no table) and StepDuration stay stored for the `logMetrics` middleware to flush.
 */
function emitStepMetrics(sink: EmfSink, report: StepReport): void {
  const { metrics } = sink;
  // Cleared first: setting a default dimension again logs a plain-text warning on every warm invocation.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ environment: sink.environment, step: report.step });
  const byTable = new Map<string, StepMetric[]>();
  for (const figure of report.figures) {
    if (!hasTable(figure)) continue;
    byTable.set(figure.table, [...(byTable.get(figure.table) ?? []), figure]);
  }
  for (const [table, tableFigures] of [...byTable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    metrics.addDimension('table', table);
    for (const figure of tableFigures) metrics.addMetric(figure.name, UNITS[figure.unit], figure.value);
    metrics.publishStoredMetrics();
  }
  for (const figure of report.figures) if (!hasTable(figure)) metrics.addMetric(figure.name, UNITS[figure.unit], figure.value);
  metrics.addMetric(STEP_DURATION_METRIC, UNITS.Milliseconds, Math.round(report.durationMs));
}

function hasTable(figure: StepMetric): figure is StepMetric & { readonly table: string } {
  return figure.table !== undefined && figure.table !== '' && figure.table !== NO_TABLE;
}
