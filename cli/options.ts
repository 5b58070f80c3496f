import { InvalidArgumentError } from 'commander';
import { DEFAULT_COMPRESSION, DEFAULT_MEMORY_LIMIT, type EcomdwConfig } from '../functions/core/config.js';

/** The configuration a command's action reads: resolved once by the program (cli/main.ts) before the action runs. */
export type ConfigOf = () => EcomdwConfig;

/** Help text of --memory-limit. */
export const MEMORY_LIMIT_HELP = `warehouse memory budget; DuckDB spills to disk beyond it (env ECOMDW_MEMORY_LIMIT, default ${DEFAULT_MEMORY_LIMIT})`;

/** Help text of --compression. */
export const COMPRESSION_HELP = `how the warehouse file stores what is written: none (faster; the file about 3x as large) or auto (DuckDB's compression) (env ECOMDW_COMPRESSION, default ${DEFAULT_COMPRESSION})`;

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
