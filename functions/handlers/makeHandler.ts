import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { figuresOf, MetricsRecorder, metricsRunOf } from '../core/metricsRecorder.js';
import { correlationIdsOf } from '../core/correlationIds.js';
import { createLogger, createMetrics, createTracer } from '../core/observability.js';
import type { PipelineStepName } from '../core/pipelineManifest.js';
import type { StepContext } from '../core/steps/context.js';
import { PIPELINE_STEPS } from '../core/steps/registry.js';
import { cloudStepContext } from './cloudContext.js';

/**
 * Time kept back from the invocation's remaining time for cancelling what
 * still runs, logging and returning the error: the warehouse gets the rest
 * (engine.setDeadline), so no statement is left running when Lambda stops the
 * function, to commit after RecordFailure.
 */
export const STEP_DEADLINE_MARGIN_MS = 20_000;

/** What a handler is built from; everything defaults to the Lambda set-up, tests inject their own. */
export interface HandlerOptions {
  /** Builds the step context; called once per container (again only after it failed). */
  readonly context?: () => Promise<StepContext>;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly tracer?: Tracer;
}

/** A Lambda handler: the state's payload in, the step's result out. */
export type PipelineHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The Lambda handler of one Task state: a middy chain (Tracer, Logger, Metrics)
 * around the same step the local runner calls through PIPELINE_STEPS. The
 * step's errors are rethrown as they are: Lambda reports `error.name` as the
 * errorType, which is what the state machine's Retry/Catch match.
 */
export function makeHandler(step: PipelineStepName, options: HandlerOptions = {}): PipelineHandler {
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? createMetrics(logger);
  const tracer = options.tracer ?? createTracer();
  const context = once(
    options.context ?? (() => cloudStepContext(process.env, { instrument: (client) => tracer.captureAWSv3Client(client) })),
  );

  const run = async (event: unknown, lambdaContext: Context): Promise<unknown> => {
    logger.appendKeys({ step, ...correlationIdsOf(event) });
    setCorrelationId(logger, event);
    let stepContext: StepContext;
    try {
      stepContext = await context();
    } catch (error) {
      logger.error('cannot set up the step (configuration or clients)', { error: error as Error });
      throw error;
    }
    const recorder = new MetricsRecorder(stepContext.engine, { metrics, environment: stepContext.config.environment });
    logger.info('step started');
    const started = performance.now();
    let result: unknown;
    stepContext.engine.setDeadline?.(Date.now() + lambdaContext.getRemainingTimeInMillis() - STEP_DEADLINE_MARGIN_MS);
    try {
      try {
        // Looked up per call, not captured: the table is the one dispatch point for both runners.
        result = await PIPELINE_STEPS[step](stepContext, event);
      } catch (error) {
        const ms = performance.now() - started;
        // A failing step may still have figures to report (ValidateBatch: TestsFailed, which the alarm
        // watches): emitted only, the warehouse may be what failed.
        recorder.emit({ step, figures: figuresOf(error), durationMs: ms });
        logger.error('step failed', { error: error as Error, durationMs: Math.round(ms) });
        throw error;
      }
      const ms = performance.now() - started;
      // DiscoverBatch learns the batch only now.
      logger.appendKeys({ ...correlationIdsOf(result) });
      setCorrelationId(logger, event, result);
      // Emitted, and written to audit.metrics (within the deadline), by the recorder the local runner uses too.
      await recorder.record(metricsRunOf(step, event, result), [{ step, figures: figuresOf(result), durationMs: ms }]).catch((error: unknown) => {
        logger.error('recording the step\'s metrics failed', { error: error as Error });
        throw error;
      });
      logger.info('step finished', { durationMs: Math.round(ms) });
    } finally {
      stepContext.engine.setDeadline?.(null);
    }
    return result;
  };

  return middy(run)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics)) as unknown as PipelineHandler;
}

// The execution id ties together every function of one execution; before the
// state machine sends it (or when a step is invoked by hand), the run id, one
// per batch run, is the next best thing.
function setCorrelationId(logger: Logger, ...payloads: unknown[]): void {
  const ids = Object.assign({}, ...payloads.map(correlationIdsOf)) as ReturnType<typeof correlationIdsOf>;
  const id = ids.execution_id ?? ids.run_id ?? ids.batch_id;
  if (id !== undefined) logger.setCorrelationId(id);
}

/** Memoizes a successful async result; a failure is not kept, so the next invocation tries again. */
function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
