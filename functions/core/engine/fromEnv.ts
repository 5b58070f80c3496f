import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ConfigError } from '../errors.js';
import { redshiftConfigFromEnv } from './redshiftConfig.js';
import { RedshiftEngine } from './redshiftEngine.js';
import type { WarehouseEngine } from './types.js';

/** The engines a Lambda handler can open from its environment. */
export const LAMBDA_ENGINES = ['redshift'] as const;

export interface EngineFromEnvOptions {
  /** Wraps the AWS client before use, e.g. `tracer.captureAWSv3Client`. */
  readonly instrument?: <T extends object>(client: T) => T;
  /** A ready client (tests pass a mocked one); `instrument` is not applied to it. */
  readonly redshiftClient?: RedshiftDataClient;
}

/**
 * The warehouse named by `ECOMDW_ENGINE`. Only `redshift` is valid here: the
 * local DuckDB warehouse is a file one process holds, opened by the CLI, and
 * importing it would put DuckDB's native binary into every Lambda bundle.
 */
export function engineFromEnv(env: Readonly<Record<string, string | undefined>>, options: EngineFromEnvOptions = {}): WarehouseEngine {
  const kind = env.ECOMDW_ENGINE?.trim();
  if (kind !== 'redshift') {
    throw new ConfigError(
      `ECOMDW_ENGINE must be one of ${LAMBDA_ENGINES.join(', ')} in a Lambda handler, got ${JSON.stringify(env.ECOMDW_ENGINE ?? null)} ` +
        '(the local DuckDB warehouse is opened by `ecomdw run`)',
    );
  }
  const config = redshiftConfigFromEnv(env);
  const instrument = options.instrument ?? (<T,>(client: T) => client);
  const client = options.redshiftClient ?? instrument(new RedshiftDataClient(config.region ? { region: config.region } : {}));
  return new RedshiftEngine(config, client);
}
