import { pipelineConfigFromEnv } from '../shared/config.js';
import { engineFromEnv } from '../shared/engine/fromEnv.js';
import { ConfigError } from '../shared/errors.js';
import { S3Lake, type S3LakeClient } from '../shared/lake/s3Lake.js';
import type { StepContext } from '../steps/context.js';

/** How the cloud context wraps AWS clients (X-Ray tracing in Lambda). */
export type InstrumentClient = <T extends object>(client: T) => T;

// A variable specifier keeps esbuild from bundling (or failing on) a package
// that package.json does not list yet; Lambda's Node runtimes ship it.
const S3_SDK_MODULE = '@aws-sdk/client-s3';

/**
 * The SDK's aggregated S3 client, which has the `S3LakeClient` shape. Loaded
 * at run time: @aws-sdk/client-s3 is not a dependency of the repository yet
 * (see the README's cloud section), and the Lambda Node.js runtimes include it.
 */
export async function loadS3Client(region: string | undefined, instrument: InstrumentClient): Promise<S3LakeClient> {
  let sdk: { S3?: new (config: { region?: string }) => S3LakeClient };
  try {
    sdk = (await import(S3_SDK_MODULE)) as typeof sdk;
  } catch (error) {
    throw new ConfigError(`the S3 lake needs ${S3_SDK_MODULE}, which could not be loaded: ${(error as Error).message}`, { cause: error });
  }
  if (typeof sdk.S3 !== 'function') throw new ConfigError(`${S3_SDK_MODULE} has no S3 client class`);
  return instrument(new sdk.S3(region ? { region } : {}));
}

export interface CloudContextOptions {
  readonly instrument?: InstrumentClient;
  /** The S3 client of the lake; loaded from the SDK when absent. */
  readonly s3Client?: S3LakeClient;
}

/**
 * What every step gets in Lambda: the warehouse named by ECOMDW_ENGINE
 * (Redshift), the lake bucket LAKE_BUCKET, and the pipeline settings.
 */
export async function cloudStepContext(env: Readonly<Record<string, string | undefined>>, options: CloudContextOptions = {}): Promise<StepContext> {
  const instrument: InstrumentClient = options.instrument ?? ((client) => client);
  const config = pipelineConfigFromEnv(env as NodeJS.ProcessEnv);
  const engine = engineFromEnv(env, { instrument });
  const bucket = env.LAKE_BUCKET?.trim() ?? '';
  const s3 = options.s3Client ?? (await loadS3Client(env.AWS_REGION, instrument));
  return { engine, lake: new S3Lake(bucket, s3), config };
}
