import { S3 } from '@aws-sdk/client-s3';
import { resolveConfig } from '../core/config.js';
import { engineFromEnv } from '../core/engine/fromEnv.js';
import { S3Lake, type S3LakeClient } from '../core/lake/s3Lake.js';
import { useSqlRoot } from '../core/sql/files.js';
import type { StepContext } from '../core/steps/context.js';

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
 * What every step gets in Lambda, built at the cold start from the function's
 * environment: the configuration (resolveConfig; it also sets where SQL files
 * are read from, ECOMDW_SQL_ROOT), the warehouse named by ECOMDW_ENGINE
 * (Redshift) and the lake bucket LAKE_BUCKET.
 */
export async function cloudStepContext(env: Readonly<Record<string, string | undefined>>, options: CloudContextOptions = {}): Promise<StepContext> {
  const instrument: InstrumentClient = options.instrument ?? ((client) => client);
  const config = resolveConfig({ env });
  useSqlRoot(config.sqlRoot);
  const engine = engineFromEnv(env, { instrument });
  const bucket = env.LAKE_BUCKET?.trim() ?? '';
  const s3 = options.s3Client ?? s3LakeClient(env.AWS_REGION, instrument);
  return { engine, lake: new S3Lake(bucket, s3), config };
}
