import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { StepMetric } from './stepMetric.js';

/** The CloudWatch namespace of every pipeline metric (infra/monitoring.ts queries it). */
export const METRICS_NAMESPACE = 'ecomdw';
/** The Powertools service name of logs and traces. */
export const SERVICE_NAME = 'ecomdw';
/** The duration metric every step emits. */
export const STEP_DURATION_METRIC = 'StepDuration';

/** The dimensions every metric of one step carries; per-table metrics add `table`. */
export interface StepDimensions {
  readonly environment: string;
  readonly step: string;
}

/** The ids that tie a log line to its execution and batch. */
export interface CorrelationIds {
  readonly execution_id?: string;
  readonly batch_id?: string;
  readonly run_id?: string;
}

/** A structured JSON logger for a pipeline Lambda. */
export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

/**
 * Metrics in the `ecomdw` namespace whose only dimensions are the ones the
 * pipeline sets: Powertools' default `service` dimension is dropped, so every
 * metric has exactly {environment, step} or {environment, step, table}.
 * Its own warnings go through `logger`, so they are JSON lines too.
 */
export function createMetrics(logger?: MetricsLogger): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, ...(logger ? { logger } : {}) });
  metrics.clearDefaultDimensions();
  return metrics;
}

/** An X-Ray tracer (inactive outside Lambda). */
export function createTracer(): Tracer {
  return new Tracer({ serviceName: SERVICE_NAME });
}

/** The logger Metrics reports its own warnings to (a Powertools Logger fits). */
export type MetricsLogger = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

/**
 * Stores a step's figures and its duration. EMF carries one dimension set per
 * blob, so each table's figures are published as their own blob at once; the
 * step-level ones (no table) stay stored for the `logMetrics` middleware to flush.
 */
export function recordStepMetrics(metrics: Metrics, dimensions: StepDimensions, figures: readonly StepMetric[], durationMs: number): void {
  // Cleared first: setting a default dimension again logs a plain-text warning on every warm invocation.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ environment: dimensions.environment, step: dimensions.step });
  const byTable = new Map<string, StepMetric[]>();
  for (const figure of figures) {
    if (figure.table === undefined || figure.table === '' || figure.table === '-') continue;
    byTable.set(figure.table, [...(byTable.get(figure.table) ?? []), figure]);
  }
  for (const [table, tableFigures] of [...byTable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    metrics.addDimension('table', table);
    for (const figure of tableFigures) metrics.addMetric(figure.name, UNITS[figure.unit], figure.value);
    metrics.publishStoredMetrics();
  }
  for (const figure of figures) {
    if (figure.table === undefined || figure.table === '' || figure.table === '-') metrics.addMetric(figure.name, UNITS[figure.unit], figure.value);
  }
  metrics.addMetric(STEP_DURATION_METRIC, MetricUnit.Milliseconds, Math.round(durationMs));
}

/**
 * The execution id (Step Functions passes `$$.Execution.Id` as `executionId`
 * when the state machine sends it), the batch id and the run id, wherever the
 * state put them: at the top of the payload (steps) or under `batch`
 * (RecordFailure gets the whole state).
 */
export function correlationIdsOf(payload: unknown): CorrelationIds {
  const top = asRecord(payload);
  const batch = asRecord(top.batch);
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const ids: Record<string, string | undefined> = {
    execution_id: text(top.executionId),
    batch_id: text(top.batchId) ?? text(batch.batchId) ?? text(asRecord(top.request).batchId),
    run_id: text(top.runId) ?? text(batch.runId),
  };
  return Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined)) as CorrelationIds;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}
