import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { loadStateMachineDefinition } from '../functions/local/localRunner.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { PIPELINE_STEPS, PIPELINE_STEP_NAMES, type PipelineStepName } from '../functions/core/steps/registry.js';

/** What the SNS task of the ASL publishes (the integration's Parameters). */
export interface PublishInput {
  readonly TopicArn: string;
  readonly Subject: string;
  readonly Message: string;
}

export interface OfflineRunOptions {
  /** Warehouse, lake and settings the Lambda steps get (e.g. PostgresEngine + LocalLake). */
  readonly context: StepContext;
  /** What the Glue task does for one table of one batch. */
  readonly normalize: (table: string, batchId: string) => Promise<void>;
  /** The execution input's `request` (default: every pending batch). */
  readonly request?: { readonly batchId?: string; readonly force?: boolean };
  /** `$$.Execution.Id` (default: a fresh one). */
  readonly executionId?: string;
  /** The SNS publish; default: recorded only. A throwing publish fails the task as SNS would. */
  readonly publish?: (input: PublishInput) => Promise<void>;
  /** Replace one Lambda task's step, e.g. to inject a fault; gets the payload the state sends. */
  readonly overrides?: Partial<Record<PipelineStepName, (payload: unknown, context: StepContext) => Promise<unknown>>>;
}

export interface OfflineRunResult {
  /** The execution's output when it succeeded. */
  readonly output: unknown;
  /** Set when the execution failed: the Fail state's error and cause. */
  readonly failure: { readonly error: string; readonly cause: string } | null;
  /** Every SNS publish the execution made. */
  readonly published: PublishInput[];
  /** The Task states run, in order (Map iterations included). */
  readonly states: string[];
}

/**
 * Executes statemachine/pipeline.asl.json (the definition Step Functions runs)
 * with aws-local-stepfunctions against any warehouse engine: each Lambda task
 * calls its step through PIPELINE_STEPS, the Glue task calls `normalize`, the
 * SNS task `publish`. Retries and Catch behave as the ASL says (no waits).
 */
export async function runStateMachine(options: OfflineRunOptions): Promise<OfflineRunResult> {
  const published: PublishInput[] = [];
  const states: string[] = [];
  const lambdaTask = (name: PipelineStepName) => async (input: { Payload: unknown }) => {
    states.push(name);
    const step = options.overrides?.[name] ?? ((payload: unknown, context: StepContext) => PIPELINE_STEPS[name](context, payload));
    return { Payload: await step(input.Payload, options.context) };
  };
  const handlers: Record<string, (input: never) => Promise<unknown>> = Object.fromEntries(PIPELINE_STEP_NAMES.map((name) => [name, lambdaTask(name)]));
  handlers.NormalizeTable = async (input: { Arguments: Record<string, string> }) => {
    states.push('NormalizeTable');
    await options.normalize(input.Arguments['--table'] ?? '', input.Arguments['--batch_id'] ?? '');
    return { Arguments: input.Arguments, JobRunState: 'SUCCEEDED' };
  };
  handlers.PublishAlert = async (input: PublishInput) => {
    states.push('PublishAlert');
    await options.publish?.(input);
    published.push(input);
    return { MessageId: `offline-${published.length}` };
  };
  const machine = new StateMachine(loadStateMachineDefinition(), { validationOptions: { checkArn: true, checkPaths: true } });
  const request = options.request ?? {};
  const execution = machine.run(
    { request },
    {
      context: { Execution: { Id: options.executionId ?? `offline:${Date.now()}:${process.pid}`, Input: { request } } },
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: Object.fromEntries([...PIPELINE_STEP_NAMES, 'NormalizeTable', 'PublishAlert'].map((n) => [n, 0])),
      },
    },
  );
  try {
    return { output: await execution.result, failure: null, published, states };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as { name?: string; message?: string } | undefined;
    return { output: null, failure: { error: cause?.name ?? error.name, cause: cause?.message ?? error.message }, published, states };
  }
}
