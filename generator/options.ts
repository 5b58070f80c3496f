import { ConfigError } from '../functions/core/errors.js';

/** Output formats of the generator: one of the lake's three, or all three rotated per table and batch. */
export const GENERATE_FORMATS = ['csv', 'jsonl', 'parquet', 'mixed'] as const;
export type GenerateFormat = (typeof GENERATE_FORMATS)[number];

export interface GenerateOptions {
  /** The lake folder; files go under `<out>/raw/`. */
  out: string;
  /** 1 ≈ 10,000 customers, 1,000 products, 100,000 orders; linear, fractional allowed. */
  scale: number;
  /** Number of daily batches. */
  days: number;
  seed: number;
  format: GenerateFormat;
  /** First batch, `YYYY-MM-DD`; default: `days` days ago, so the last batch is yesterday (UTC). */
  startDate?: string;
  onProgress?: (message: string) => void;
}

/** Options after validation, defaults applied. */
export interface ResolvedGenerateOptions {
  readonly out: string;
  readonly scale: number;
  readonly days: number;
  readonly seed: number;
  readonly format: GenerateFormat;
  readonly startDate: string;
  readonly onProgress: (message: string) => void;
}

/**
 * The default first batch: `days` days before `now` (UTC), so the batches are the
 * last `days` days ending yesterday and a fresh lake passes the freshness checks.
 */
export function defaultStartDate(days: number, now: Date = new Date()): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - days * 86_400_000).toISOString().slice(0, 10);
}
export const MAX_SCALE = 100;
export const MAX_DAYS = 366;

/** Checks generator options and applies defaults; throws a ConfigError naming the first bad value. */
export function validateGenerateOptions(options: unknown): ResolvedGenerateOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('generate options must be an object');
  const o = options as Record<string, unknown>;
  if (typeof o.out !== 'string' || o.out.trim() === '') {
    throw new ConfigError('out is required: the folder to write the sample lake to');
  }
  if (typeof o.scale !== 'number' || !Number.isFinite(o.scale) || o.scale <= 0 || o.scale > MAX_SCALE) {
    throw new ConfigError(`scale must be > 0 and <= ${MAX_SCALE} (got ${show(o.scale)})`);
  }
  if (typeof o.days !== 'number' || !Number.isInteger(o.days) || o.days < 1 || o.days > MAX_DAYS) {
    throw new ConfigError(`days must be an integer from 1 to ${MAX_DAYS} (got ${show(o.days)})`);
  }
  if (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed)) {
    throw new ConfigError(`seed must be an integer (got ${show(o.seed)})`);
  }
  if (typeof o.format !== 'string' || !(GENERATE_FORMATS as readonly string[]).includes(o.format)) {
    throw new ConfigError(`format must be one of ${GENERATE_FORMATS.join(', ')} (got ${show(o.format)})`);
  }
  const startDate = o.startDate ?? (typeof o.days === 'number' ? defaultStartDate(o.days) : undefined);
  if (typeof startDate !== 'string' || !isIsoDate(startDate)) {
    throw new ConfigError(`startDate must be a date as YYYY-MM-DD (got ${show(startDate)})`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new ConfigError('onProgress must be a function');
  }
  return {
    out: o.out,
    scale: o.scale,
    days: o.days,
    seed: o.seed,
    format: o.format as GenerateFormat,
    startDate,
    onProgress: (o.onProgress as ((message: string) => void) | undefined) ?? (() => {}),
  };
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  // Date rolls 2024-02-30 over to March: a real date prints back unchanged.
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
