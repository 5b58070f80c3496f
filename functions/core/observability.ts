import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** The CloudWatch namespace of every pipeline metric (infra/monitoring.ts queries it). */
export const METRICS_NAMESPACE = 'ecomdw';
/** The Powertools service name of logs and traces. */
export const SERVICE_NAME = 'ecomdw';

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
