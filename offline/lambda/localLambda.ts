import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The runtime each execution environment runs (a plain .mjs: no tsx between the bundle and Node). */
const BOOTSTRAP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bootstrap.mjs');

/** Where Lambda unpacks a function's code; values of the function's environment that point there are mapped to the task root. */
export const LAMBDA_TASK_ROOT = '/var/task';

/** One function as the stack deploys it (from the Pulumi program, see offline/cloud/deployedStack.ts). */
export interface LambdaFunctionSpec {
  readonly name: string;
  readonly arn: string;
  /** `index.handler`. */
  readonly handler: string;
  /** e.g. `nodejs22.x` (the environment reports it; the code runs on this machine's Node). */
  readonly runtime: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** The function's environment variables, as the stack sets them. */
  readonly environment: Readonly<Record<string, string>>;
  /** A folder laid out as the deployment package: index.mjs, index.mjs.map, sql/. */
  readonly taskRoot: string;
  /** The function's log group (its loggingConfig). */
  readonly logGroupName: string;
}

/** What the Lambda service gives every function here besides its own environment. */
export interface LambdaPlatform {
  readonly region: string;
  /** The function role's credentials: a distinct access key id per function, as distinct roles are distinct identities. */
  readonly credentials: (functionName: string) => { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** AWS_ENDPOINT_URL_<SERVICE> variables pointing the SDK at the offline services. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** `127.0.0.1:<port>` of the X-Ray daemon stand-in (AWS_XRAY_DAEMON_ADDRESS). */
  readonly xrayDaemonAddress?: string;
}

/** A function error, as Lambda returns it (FunctionError: Unhandled). */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** Thrown by `invoke` when the function failed: the payload is what Step Functions turns into Error and Cause. */
export class LambdaFunctionError extends Error {
  public constructor(public readonly payload: LambdaErrorPayload) {
    super(payload.errorMessage);
    this.name = payload.errorType;
  }
}

/** One line a function wrote (stdout and stderr go to its log group in Lambda). */
export interface LambdaLogLine {
  readonly functionName: string;
  readonly requestId: string | null;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface LambdaStats {
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
}

interface Environment {
  readonly child: ChildProcess;
  /** Each execution environment writes its own log stream. */
  readonly logStreamName: string;
  current: string | null;
}

/**
 * A Lambda function run locally from its deployment package: each execution
 * environment is a Node process (bootstrap.mjs) with the function's
 * environment and Lambda's own variables, kept warm between invocations,
 * one invocation at a time (a second concurrent invocation starts another
 * environment, a cold start). An invocation past the function's timeout
 * kills its environment, as Lambda does.
 */
export class LocalLambda {
  public readonly stats: LambdaStats = { invocations: 0, coldStarts: 0, errors: 0, timeouts: 0 };
  public readonly logs: LambdaLogLine[] = [];
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();

  public constructor(
    public readonly spec: LambdaFunctionSpec,
    private readonly platform: LambdaPlatform,
  ) {}

  /** Invokes the function synchronously (RequestResponse): its result, or LambdaFunctionError. */
  public async invoke(event: unknown): Promise<unknown> {
    this.stats.invocations += 1;
    const environment = this.idle.pop() ?? (await this.coldStart());
    const requestId = randomUUID();
    environment.current = requestId;
    const deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    try {
      const outcome = await new Promise<{ type: 'result'; payload: string } | { type: 'error'; error: LambdaErrorPayload }>((resolve) => {
        const timer = setTimeout(() => {
          this.stats.timeouts += 1;
          environment.child.kill('SIGKILL');
          resolve({ type: 'error', error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds` } });
        }, this.spec.timeoutSeconds * 1000);
        const onMessage = (message: { type?: string; requestId?: string; payload?: string; error?: LambdaErrorPayload }): void => {
          if (message.requestId !== requestId) return;
          if (message.type === 'result') done({ type: 'result', payload: message.payload ?? 'null' });
          if (message.type === 'error') done({ type: 'error', error: message.error as LambdaErrorPayload });
        };
        const onExit = (code: number | null, signal: string | null): void =>
          done({ type: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}` } });
        const done = (result: Parameters<typeof resolve>[0]): void => {
          clearTimeout(timer);
          environment.child.off('message', onMessage);
          environment.child.off('exit', onExit);
          resolve(result);
        };
        environment.child.on('message', onMessage);
        environment.child.once('exit', onExit);
        environment.child.send({
          type: 'invoke',
          requestId,
          event,
          deadline,
          traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`,
          functionArn: this.spec.arn,
          functionName: this.spec.name,
          memoryMb: this.spec.memoryMb,
          logGroupName: this.spec.logGroupName,
          logStreamName: environment.logStreamName,
        });
      });
      if (outcome.type === 'error') {
        this.stats.errors += 1;
        throw new LambdaFunctionError(outcome.error);
      }
      return JSON.parse(outcome.payload) as unknown;
    } finally {
      environment.current = null;
      if (environment.child.exitCode === null && environment.child.signalCode === null) this.idle.push(environment);
      else this.all.delete(environment);
    }
  }

  /** Stops every execution environment. */
  public async stop(): Promise<void> {
    await Promise.all(
      [...this.all].map(
        (environment) =>
          new Promise<void>((resolve) => {
            if (environment.child.exitCode !== null || environment.child.signalCode !== null) return resolve();
            environment.child.once('exit', () => resolve());
            environment.child.kill('SIGTERM');
          }),
      ),
    );
    this.all.clear();
    this.idle.length = 0;
  }

  /** Lines of this function's log that parse as JSON objects (Powertools logs and EMF metrics). */
  public jsonLogs(): Record<string, unknown>[] {
    return this.logs.flatMap((line) => {
      if (!line.text.startsWith('{')) return [];
      try {
        return [JSON.parse(line.text) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  private async coldStart(): Promise<Environment> {
    this.stats.coldStarts += 1;
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const child = fork(BOOTSTRAP, [this.spec.taskRoot, this.spec.handler], {
      cwd: this.spec.taskRoot,
      env: this.environment(logStreamName),
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // NODE_OPTIONS of the function (--enable-source-maps) applies, as in Lambda.
    });
    const environment: Environment = { child, logStreamName, current: null };
    this.all.add(environment);
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream] as NodeJS.ReadableStream }).on('line', (text) =>
        this.logs.push({ functionName: this.spec.name, requestId: environment.current, stream, text }),
      );
    }
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { type?: string; error?: LambdaErrorPayload }): void => {
        if (message.type === 'ready') {
          child.off('message', onMessage);
          resolve();
        } else if (message.type === 'init-error') {
          child.off('message', onMessage);
          reject(new LambdaFunctionError(message.error ?? { errorType: 'Runtime.Unknown', errorMessage: 'init failed' }));
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new LambdaFunctionError({ errorType: 'Runtime.ExitError', errorMessage: `the runtime exited during init (${code})` })));
    });
    return environment;
  }

  /** Lambda's variables, the function's own (task-root paths mapped), and the offline endpoints. */
  private environment(logStreamName: string): NodeJS.ProcessEnv {
    const { spec, platform } = this;
    const credentials = platform.credentials(spec.name);
    const own = Object.fromEntries(
      Object.entries(spec.environment).map(([key, value]) => [key, value.startsWith(LAMBDA_TASK_ROOT) ? spec.taskRoot + value.slice(LAMBDA_TASK_ROOT.length) : value]),
    );
    return {
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: platform.region,
      AWS_DEFAULT_REGION: platform.region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: `offline-session-${spec.name}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: spec.taskRoot,
      _HANDLER: spec.handler,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      ...(platform.xrayDaemonAddress
        ? {
            AWS_XRAY_DAEMON_ADDRESS: platform.xrayDaemonAddress,
            _AWS_XRAY_DAEMON_ADDRESS: platform.xrayDaemonAddress.split(':')[0],
            _AWS_XRAY_DAEMON_PORT: platform.xrayDaemonAddress.split(':')[1],
          }
        : {}),
      // The stack's runtime is newer than this machine's Node 20: the SDK's notice about Node 20 is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...own,
      ...platform.endpoints,
    };
  }
}
