import { S3 } from '@aws-sdk/client-s3';
import { pipelineConfigFromEnv } from '../shared/config.js';
import { engineFromEnv } from '../shared/engine/fromEnv.js';
import { S3Lake, type S3LakeClient } from '../shared/lake/s3Lake.js';
import type { StepContext } from '../steps/context.js';

/** How the cloud context wraps AWS clients (X-Ray tracing in Lambda). */
export type InstrumentClient = <T extends object>(client: T) => T;

/** The SDK's aggregated S3 client for the lake (it has the `S3LakeClient` shape). */
export function s3LakeClient(region: string | undefined, instrument: InstrumentClient): S3LakeClient {
  return instrument(new S3(region ? { region } : {})) as unknown as S3LakeClient;
}

export interface CloudContextOptions {
  readonly instrument?: InstrumentClient;
  /** The S3 client of the lake; the SDK's when absent. */
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
  const s3 = options.s3Client ?? s3LakeClient(env.AWS_REGION, instrument);
  return { engine, lake: new S3Lake(bucket, s3), config };
}
