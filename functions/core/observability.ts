import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** The CloudWatch namespace of every pipeline metric (infra/monitoring.ts queries it). */
export const METRICS_NAMESPACE = 'ecomdw';
/** The Powertools service name of logs and traces. */
export const SERVICE_NAME = 'ecomdw';

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
