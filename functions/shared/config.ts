import { z } from 'zod';
import { SOURCE_TABLES, type SourceTable } from './contract.js';
import { ConfigError } from './errors.js';

/** Source freshness thresholds of one table, in hours (null = not checked at that severity). */
export interface FreshnessThreshold {
  readonly warnAfterHours: number | null;
  readonly errorAfterHours: number | null;
}

/** The settings every step reads; built once per process from flags/env (local) or Lambda env (cloud). */
export interface PipelineConfig {
  /** Deployment name: `local`, or the Pulumi stack. */
  readonly environment: string;
  readonly freshness: Readonly<Record<SourceTable, FreshnessThreshold>>;
}

/** Default freshness: warn when a table's newest change is older than two days; never fail. */
export const DEFAULT_FRESHNESS: FreshnessThreshold = { warnAfterHours: 48, errorAfterHours: null };

const thresholdSchema = z
  .object({
    warnAfterHours: z.number().positive().nullable().optional(),
    errorAfterHours: z.number().positive().nullable().default(DEFAULT_FRESHNESS.errorAfterHours),
  })
  .strict()
  // An error threshold below the default warning one pulls the warning down with it.
  .transform((t) => ({
    errorAfterHours: t.errorAfterHours,
    warnAfterHours:
      t.warnAfterHours !== undefined
        ? t.warnAfterHours
        : t.errorAfterHours !== null && DEFAULT_FRESHNESS.warnAfterHours !== null
          ? Math.min(DEFAULT_FRESHNESS.warnAfterHours, t.errorAfterHours)
          : DEFAULT_FRESHNESS.warnAfterHours,
  }))
  .refine((t) => t.warnAfterHours === null || t.errorAfterHours === null || t.warnAfterHours <= t.errorAfterHours, {
    message: 'warnAfterHours must not exceed errorAfterHours',
  });

const freshnessSchema = z.partialRecord(z.enum(SOURCE_TABLES), thresholdSchema);

/**
 * Parses the `ECOMDW_FRESHNESS` JSON (e.g. `{"orders":{"warnAfterHours":6,"errorAfterHours":24}}`);
 * tables left out keep the defaults.
 */
export function parseFreshness(json: string | undefined): Record<SourceTable, FreshnessThreshold> {
  let raw: unknown = {};
  if (json !== undefined && json.trim() !== '') {
    try {
      raw = JSON.parse(json);
    } catch (error) {
      throw new ConfigError(`ECOMDW_FRESHNESS is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const parsed = freshnessSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`ECOMDW_FRESHNESS: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.fromEntries(
    SOURCE_TABLES.map((t) => [t, parsed.data[t] ?? DEFAULT_FRESHNESS]),
  ) as Record<SourceTable, FreshnessThreshold>;
}

/** Builds the pipeline config from environment variables. */
export function pipelineConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return {
    environment: env.ECOMDW_ENVIRONMENT ?? 'local',
    freshness: parseFreshness(env.ECOMDW_FRESHNESS),
  };
}
