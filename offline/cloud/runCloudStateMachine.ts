import '../../functions/local/polyfills.js';
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { GlueServiceError, type SparkGlue } from '../glue/sparkGlue.js';
import { LambdaFunctionError, type LocalLambda } from '../lambda/localLambda.js';

/** Step Functions' quota on a state's input, output and a task's result (256 KiB of UTF-8). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/** SNS: a Subject is printable ASCII, no line breaks, under 100 characters. */
const SNS_SUBJECT = /^[\x20-\x7e]{1,99}$/;
const SNS_MESSAGE_LIMIT_BYTES = 256 * 1024;

/** The integrations the pipeline's ASL uses (optimized service integrations). */
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const GLUE_RUN_SYNC = 'arn:aws:states:::glue:startJobRun.sync';
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';

/** One SNS publish the execution made. */
export interface PublishedMessage {
  readonly TopicArn: string;
  readonly Subject: string;
  readonly Message: string;
}

/** One Task state's call, in the order they ended. */
export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  /** The function ARN, job name or topic ARN the state targets. */
  readonly target: string;
  readonly ms: number;
  /** The error name Step Functions sees (null: the call succeeded). */
  readonly error: string | null;
  /** Bytes of the task's result as JSON (Step Functions allows 256 KiB); 0 for a failed call. */
  readonly resultBytes: number;
}

export interface CloudExecutionOptions {
  /** The substituted definition, exactly as the stack deploys it. */
  readonly definition: string;
  readonly stateMachineArn: string;
  /** The functions by ARN. */
  readonly lambdas: ReadonlyMap<string, LocalLambda>;
  readonly glue: SparkGlue;
  /** The only topic the state machine may publish to (its role's permission). */
  readonly topicArn: string;
  /** The execution input's request (default: every pending batch, as the schedule sends). */
  readonly request?: Readonly<Record<string, unknown>>;
}

export interface CloudExecutionResult {
  readonly executionArn: string;
  readonly output: unknown;
  /** Set when the execution failed: the Fail state's error and cause. */
  readonly failure: { readonly error: string; readonly cause: string } | null;
  readonly published: readonly PublishedMessage[];
  readonly calls: readonly TaskCall[];
}

/** An error as a Task state reports it: `name` is what Retry/Catch match, `message` the Cause. */
class TaskError extends Error {
  public constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * Executes the deployed definition with aws-local-stepfunctions, each Task
 * state served as its integration would serve it in AWS: `lambda:invoke`
 * invokes the function named by the state's FunctionName (its deployment
 * package, offline/lambda), a function error becoming the error named by its
 * errorType with the error payload as JSON Cause; `glue:startJobRun.sync`
 * runs the Glue job under Spark and waits (a FAILED run is States.TaskFailed);
 * `sns:publish` checks the topic and SNS's Subject rules and records the
 * message. Results over Step Functions' 256 KiB are States.DataLimitExceeded.
 * Retry waits are skipped (retryIntervalOverrides 0); everything else is the ASL's.
 */
export async function runCloudStateMachine(options: CloudExecutionOptions): Promise<CloudExecutionResult> {
  const definition = JSON.parse(options.definition) as StateMachineDefinition;
  const published: PublishedMessage[] = [];
  const calls: TaskCall[] = [];
  const handlers: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [state, spec] of taskStates(definition)) {
    handlers[state] = async (input: Record<string, unknown>) => {
      const target = String(input.FunctionName ?? input.JobName ?? input.TopicArn ?? '');
      const started = performance.now();
      try {
        const result = await serve(spec.Resource, input);
        calls.push({ state, resource: spec.Resource, target, ms: performance.now() - started, error: null, resultBytes: Buffer.byteLength(JSON.stringify(result)) });
        return result;
      } catch (error) {
        calls.push({ state, resource: spec.Resource, target, ms: performance.now() - started, error: (error as Error).name, resultBytes: 0 });
        throw error;
      }
    };
  }

  const serve = async (resource: string, input: Record<string, unknown>): Promise<unknown> => {
    switch (resource) {
      case LAMBDA_INVOKE:
        return invokeLambda(options.lambdas, input);
      case GLUE_RUN_SYNC:
        return runGlueJob(options.glue, input);
      case SNS_PUBLISH: {
        const message = publish(options.topicArn, input);
        published.push(message);
        return { MessageId: randomUUID(), SdkHttpMetadata: { HttpStatusCode: 200 } };
      }
      default:
        throw new TaskError('States.Runtime', `the offline run does not serve the resource ${resource}`);
    }
  };

  const machineName = options.stateMachineArn.split(':').pop() as string;
  const executionName = randomUUID();
  const executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  const input = JSON.parse(JSON.stringify({ request: options.request ?? {} })) as { request: never };
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(input, {
    context: {
      Execution: { Id: executionArn, Name: executionName, Input: input, StartTime: new Date().toISOString(), RedriveCount: 0 },
      StateMachine: { Id: options.stateMachineArn, Name: machineName },
    },
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((state) => [state, 0])),
    },
  });
  try {
    return { executionArn, output: await execution.result, failure: null, published, calls };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as { name?: string; message?: string } | undefined;
    return { executionArn, output: null, failure: { error: cause?.name ?? error.name, cause: cause?.message ?? error.message }, published, calls };
  }
}

/** Every Task state of the definition, Map iterations included, by state name (aws-local-stepfunctions keys handlers by name). */
function taskStates(definition: { States: Record<string, unknown> }): [string, { Resource: string }][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const s = state as { Type: string; Resource?: string; ItemProcessor?: { States: Record<string, unknown> }; Iterator?: { States: Record<string, unknown> } };
    const inner = s.ItemProcessor ?? s.Iterator;
    return [...(s.Type === 'Task' ? [[name, { Resource: s.Resource ?? '' }] as [string, { Resource: string }]] : []), ...(inner ? taskStates(inner) : [])];
  });
}

async function invokeLambda(lambdas: ReadonlyMap<string, LocalLambda>, input: Record<string, unknown>): Promise<unknown> {
  const name = String(input.FunctionName ?? '');
  // FunctionName may be the ARN, qualified with $LATEST, or the plain name.
  const lambda = lambdas.get(name.replace(/:\$LATEST$/, '')) ?? [...lambdas.values()].find((l) => l.spec.name === name);
  if (!lambda) throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${name}`);
  checkSize('the Payload of lambda:invoke', input.Payload ?? null);
  try {
    const payload = await lambda.invoke(input.Payload ?? null);
    const result = { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: randomUUID() } };
    checkSize(`the result of ${lambda.spec.name}`, result);
    return result;
  } catch (error) {
    // Step Functions: Error = the function's errorType, Cause = the error payload as JSON.
    if (error instanceof LambdaFunctionError) throw new TaskError(error.payload.errorType, JSON.stringify(error.payload));
    throw error;
  }
}

async function runGlueJob(glue: SparkGlue, input: Record<string, unknown>): Promise<unknown> {
  const args = (input.Arguments ?? {}) as Record<string, string>;
  try {
    const run = await glue.startJobRunSync(String(input.JobName ?? ''), args);
    if (run.JobRunState !== 'SUCCEEDED') throw new TaskError('States.TaskFailed', JSON.stringify(run));
    return run;
  } catch (error) {
    if (error instanceof GlueServiceError) throw new TaskError(`Glue.${error.name}`, `${error.message} (Service: Glue; Error Code: ${error.name})`);
    throw error;
  }
}

function publish(topicArn: string, input: Record<string, unknown>): PublishedMessage {
  const message = { TopicArn: String(input.TopicArn ?? ''), Subject: String(input.Subject ?? ''), Message: String(input.Message ?? '') };
  if (message.TopicArn !== topicArn) throw new TaskError('SNS.AuthorizationErrorException', `the state machine may publish to ${topicArn} only, not ${message.TopicArn}`);
  if (input.Subject !== undefined && !SNS_SUBJECT.test(message.Subject)) {
    throw new TaskError('SNS.InvalidParameterException', `Invalid parameter: Subject (${JSON.stringify(message.Subject)}: printable ASCII, no line breaks, under 100 characters)`);
  }
  if (message.Message === '' || Buffer.byteLength(message.Message) > SNS_MESSAGE_LIMIT_BYTES) {
    throw new TaskError('SNS.InvalidParameterException', `Invalid parameter: Message (${Buffer.byteLength(message.Message)} bytes; 1 to ${SNS_MESSAGE_LIMIT_BYTES})`);
  }
  return message;
}

function checkSize(what: string, value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > STATE_PAYLOAD_LIMIT_BYTES) {
    throw new TaskError('States.DataLimitExceeded', `${what} is ${bytes} bytes; Step Functions passes at most ${STATE_PAYLOAD_LIMIT_BYTES}`);
  }
}
