import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CONFIG_NAMESPACE, parseStackConfig, type StackConfig } from '../../infra/config.js';
import type { LambdaFunctionSpec } from '../lambda/localLambda.js';

/**
 * What `pulumi up` would deploy, as the offline cloud run needs it: read from
 * the Pulumi program itself (infra/index.ts) run under Pulumi's mocks by
 * captureStack.ts, never restated here. The functions' deployment packages
 * (the esbuild bundles infra/bundle.ts makes, their source maps, the sql/
 * folder) are written out as Lambda would unpack them.
 */
export interface DeployedStack {
  readonly stack: string;
  readonly region: string;
  readonly accountId: string;
  readonly lakeBucket: string;
  readonly artifactsBucket: string;
  readonly alertTopicArn: string;
  readonly stateMachine: { readonly name: string; readonly arn: string; readonly definition: string };
  readonly warehouse: { readonly workgroupName: string; readonly database: string; readonly adminSecretArn: string; readonly copyRoleArn: string };
  readonly functions: readonly DeployedFunction[];
  readonly glueJob: DeployedGlueJob;
  /** Objects the program uploads (the Glue script, its rendered SQL and seeds). */
  readonly objects: readonly DeployedObject[];
}

/** A function as the stack deploys it: what a local Lambda environment runs, plus where it came from. */
export interface DeployedFunction extends LambdaFunctionSpec {
  /** The pipeline handler (discoverBatch, ...). */
  readonly handlerName: string;
  /** Bytes of index.mjs. */
  readonly bundleBytes: number;
}

export interface DeployedGlueJob {
  readonly name: string;
  readonly arn: string;
  readonly glueVersion: string;
  /** `s3://<artifacts>/glue/normalize_job.py`. */
  readonly scriptLocation: string;
  readonly defaultArguments: Readonly<Record<string, string>>;
  readonly maxConcurrentRuns: number;
  readonly timeoutMinutes: number;
}

export interface DeployedObject {
  readonly bucket: string;
  readonly key: string;
  /** The object's text, or the repository file it is uploaded from. */
  readonly content?: string;
  readonly sourcePath?: string;
}

/** The file captureStack.ts writes into the output folder. */
export const STACK_FILE = 'stack.json';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CAPTURE_PROGRAM = path.join(HERE, 'captureStack.ts');
const REPO = path.resolve(HERE, '../..');

/** Pulumi.<stack>.yaml as the Pulumi CLI hands it to the program: every value a string, lists and objects as JSON. */
export function pulumiStackConfig(stack: string): Record<string, string> {
  const file = path.join(REPO, `Pulumi.${stack}.yaml`);
  const entries = Object.entries((parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> }).config ?? {});
  return Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

/** The validated settings of a stack, as infra/config.ts derives them (e.g. the freshness JSON its functions get). */
export function stackSettings(stack: string): StackConfig {
  const config = pulumiStackConfig(stack);
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values = Object.fromEntries(Object.entries(config).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
  return parseStackConfig({ stack, region: config['aws:region'], values });
}

/**
 * Runs the Pulumi program of `stack` (Pulumi.<stack>.yaml) under mocks in a
 * child process (Pulumi's runtime state is per process) and returns what it
 * would deploy; the deployment packages land under `outDir`.
 */
export async function captureStack(stack: string, outDir: string): Promise<DeployedStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', CAPTURE_PROGRAM, stack, outDir], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`capturing the ${stack} stack under Pulumi mocks failed (exit ${code}):\n${output.slice(-4000)}`);
  return JSON.parse(readFileSync(path.join(outDir, STACK_FILE), 'utf8')) as DeployedStack;
}
