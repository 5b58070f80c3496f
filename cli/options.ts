import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_PATTERN } from '../functions/shared/engine/duckdbEngine.js';
import { ConfigError } from '../functions/shared/errors.js';

/** Flags every warehouse command shares, after defaults and environment. */
export interface WarehouseOptions {
  readonly lake: string;
  readonly db: string;
  readonly json: boolean;
  /** The warehouse's DuckDB memory budget, e.g. '3GB'. */
  readonly memoryLimit: string;
}

/** Default lake folder (overridable by --lake or ECOMDW_LAKE). */
export const DEFAULT_LAKE = './data/lake';
/** Default warehouse file (overridable by --db or ECOMDW_DB). */
export const DEFAULT_DB = './data/warehouse.duckdb';

/** Resolves --lake/--db/--memory-limit with precedence flag, then environment, then default. */
export function warehouseOptions(
  flags: { lake?: string; db?: string; json?: boolean; memoryLimit?: string },
  env = process.env,
): WarehouseOptions {
  const memoryLimit = (flags.memoryLimit ?? env.ECOMDW_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT).trim();
  if (!MEMORY_LIMIT_PATTERN.test(memoryLimit)) {
    const source = flags.memoryLimit !== undefined ? '--memory-limit' : 'ECOMDW_MEMORY_LIMIT';
    throw new ConfigError(`${source} must be a size such as 512MB, 3GB or 2.5GiB, got '${memoryLimit}'`);
  }
  return {
    lake: path.resolve(flags.lake ?? env.ECOMDW_LAKE ?? DEFAULT_LAKE),
    db: path.resolve(flags.db ?? env.ECOMDW_DB ?? DEFAULT_DB),
    json: flags.json === true,
    memoryLimit,
  };
}

/** Help text of --memory-limit. */
export const MEMORY_LIMIT_HELP = `warehouse memory budget; DuckDB spills to disk beyond it (env ECOMDW_MEMORY_LIMIT, default ${DEFAULT_MEMORY_LIMIT})`;

/** Commander parser for a positive number flag. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got '${value}'`);
  return n;
}

/** Commander parser for a whole number flag. */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number, got '${value}'`);
  return n;
}
