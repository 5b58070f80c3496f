import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SOURCE_TABLES, type SourceTable } from './contract.js';
import { ConfigError } from './errors.js';

/** Source freshness thresholds of one table, in hours (null = not checked at that severity). */
export interface FreshnessThreshold {
  readonly warnAfterHours: number | null;
  readonly errorAfterHours: number | null;
}

/** The settings every step reads: the part of EcomdwConfig (resolveConfig) that steps are given. */
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

/** Default lake folder (overridable by --lake or ECOMDW_LAKE). */
export const DEFAULT_LAKE = './data/lake';
/** Default warehouse file (overridable by --db or ECOMDW_DB). */
export const DEFAULT_DB = './data/warehouse.duckdb';
/** The warehouse's memory budget unless told otherwise (DuckDB's own default is 80 % of RAM). */
export const DEFAULT_MEMORY_LIMIT = '3GB';
/** A DuckDB size such as 512MB, 3GB or 2.5GiB. */
export const MEMORY_LIMIT_PATTERN = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
/** How the warehouse file stores what a run writes: 'none' (no compression) unless told otherwise. */
export const DEFAULT_COMPRESSION = 'none';
/** The storage a DuckDB warehouse can be written with: DuckDB's own choice per column ('auto') or none. */
export const COMPRESSION_MODES = ['auto', 'none'] as const;
/** One of COMPRESSION_MODES. */
export type CompressionMode = (typeof COMPRESSION_MODES)[number];
/** Deployment name when ECOMDW_ENVIRONMENT is not set. */
export const DEFAULT_ENVIRONMENT = 'local';
/** The repository's sql/ folder; a Lambda package sets ECOMDW_SQL_ROOT to where its copy is unpacked. */
export const DEFAULT_SQL_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');

/** Everything a command or a Lambda needs to know, resolved once at the edge (flag, then environment, then default). */
export interface EcomdwConfig extends PipelineConfig {
  /** Lake folder, absolute. */
  readonly lake: string;
  /** Warehouse DuckDB file, absolute. */
  readonly db: string;
  /** The warehouse's DuckDB memory budget, e.g. '3GB'. */
  readonly memoryLimit: string;
  /** How the DuckDB warehouse stores what is written: 'none' (faster, about 3x the file) or 'auto' (DuckDB's compression). */
  readonly compression: CompressionMode;
  /** Print the command's result as JSON on stdout. */
  readonly json: boolean;
  /** Folder the pipeline's SQL files are read from. */
  readonly sqlRoot: string;
  /** Print each warehouse statement's time on stderr (ECOMDW_TRACE_SQL=1). */
  readonly traceSql: boolean;
}

/** The flags that take part in the configuration (every command gives the ones it has). */
export interface ConfigFlags {
  readonly lake?: string;
  readonly db?: string;
  readonly memoryLimit?: string;
  readonly compression?: string;
  readonly json?: boolean;
}

/** The environment variables the configuration reads, by name. */
export const CONFIG_ENV = {
  lake: 'ECOMDW_LAKE',
  db: 'ECOMDW_DB',
  memoryLimit: 'ECOMDW_MEMORY_LIMIT',
  compression: 'ECOMDW_COMPRESSION',
  environment: 'ECOMDW_ENVIRONMENT',
  freshness: 'ECOMDW_FRESHNESS',
  sqlRoot: 'ECOMDW_SQL_ROOT',
  traceSql: 'ECOMDW_TRACE_SQL',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** A setting's raw value and where it came from, so an error can name the flag or the variable. */
interface Sourced {
  readonly value: string;
  readonly source: string;
}

// Flag, then environment, then default. An empty environment variable counts as not set.
function pick(flagValue: string | undefined, flag: string | null, env: Env, variable: string, fallback: string): Sourced {
  if (flag !== null && flagValue !== undefined) return { value: flagValue, source: flag };
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, source: variable };
  return { value: fallback, source: `the default of ${flag ?? variable}` };
}

// Each setting's check; the message follows the flag or variable it names.
const pathSchema = z.string().trim().min(1, 'must not be empty');
const memoryLimitSchema = z.string().trim().regex(MEMORY_LIMIT_PATTERN, 'must be a size such as 512MB, 3GB or 2.5GiB');
const compressionSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(COMPRESSION_MODES, { error: `must be ${COMPRESSION_MODES.join(' or ')}` }));
const environmentSchema = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a deployment name (letters, digits, . _ -)');
const traceSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0' }))
  .transform((v) => v === '1' || v === 'true');

function checked<T>(schema: z.ZodType<T, string>, setting: Sourced): T {
  const parsed = schema.safeParse(setting.value);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`${setting.source} ${parsed.error.issues[0]?.message ?? 'is invalid'}, got '${setting.value}'`);
}

/**
 * The one configuration resolver: each setting from its flag, then its
 * environment variable, then its default, checked; a bad value is a
 * ConfigError (exit 2) naming the flag or variable it came from. Called once
 * at the CLI edge and once per Lambda cold start; the result is passed down.
 */
export function resolveConfig({ flags = {}, env }: { flags?: ConfigFlags; env: Env }): EcomdwConfig {
  const freshness = env[CONFIG_ENV.freshness];
  return {
    lake: path.resolve(checked(pathSchema, pick(flags.lake, '--lake', env, CONFIG_ENV.lake, DEFAULT_LAKE))),
    db: path.resolve(checked(pathSchema, pick(flags.db, '--db', env, CONFIG_ENV.db, DEFAULT_DB))),
    memoryLimit: checked(memoryLimitSchema, pick(flags.memoryLimit, '--memory-limit', env, CONFIG_ENV.memoryLimit, DEFAULT_MEMORY_LIMIT)),
    compression: checked(compressionSchema, pick(flags.compression, '--compression', env, CONFIG_ENV.compression, DEFAULT_COMPRESSION)),
    json: flags.json === true,
    environment: checked(environmentSchema, pick(undefined, null, env, CONFIG_ENV.environment, DEFAULT_ENVIRONMENT)),
    freshness: parseFreshness(freshness),
    sqlRoot: path.resolve(checked(pathSchema, pick(undefined, null, env, CONFIG_ENV.sqlRoot, DEFAULT_SQL_ROOT))),
    traceSql: checked(traceSchema, pick(undefined, null, env, CONFIG_ENV.traceSql, '0')),
  };
}
