import path from 'node:path';
import { InvalidArgumentError } from 'commander';

/** Flags every warehouse command shares, after defaults and environment. */
export interface WarehouseOptions {
  readonly lake: string;
  readonly db: string;
  readonly json: boolean;
}

/** Default lake folder (overridable by --lake or ECOMDW_LAKE). */
export const DEFAULT_LAKE = './data/lake';
/** Default warehouse file (overridable by --db or ECOMDW_DB). */
export const DEFAULT_DB = './data/warehouse.duckdb';

/** Resolves --lake/--db with precedence flag, then environment, then default. */
export function warehouseOptions(flags: { lake?: string; db?: string; json?: boolean }, env = process.env): WarehouseOptions {
  return {
    lake: path.resolve(flags.lake ?? env.ECOMDW_LAKE ?? DEFAULT_LAKE),
    db: path.resolve(flags.db ?? env.ECOMDW_DB ?? DEFAULT_DB),
    json: flags.json === true,
  };
}

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
