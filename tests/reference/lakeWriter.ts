/**
 * Writes typed source rows as a bronze lake (SPEC section 1), so that property
 * tests can run the real pipeline on the same rows the reference model sees.
 *
 * File layout: `<dir>/raw/<table>/batch_id=<id>/part-0.(csv|jsonl)`, one file
 * per table present in the batch, columns in contract order.
 *
 * Spelling of values (row `i` is the 0-based data row within its file); every
 * spelling normalizes back to the typed value:
 * - NULL: CSV empty unquoted field; JSON `null`;
 * - timestamps: `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DDTHH:MM:SSZ` when `i % 3 === 1`;
 * - decimals: 2 places (`12.50`); in JSON lines a JSON number (`12.5`) when `i` is odd;
 * - integers: plain digits; in JSON lines a JSON number;
 * - booleans: `true` / `false`, except that `is_deleted = false` is written as
 *   NULL (missing means false) when `i % 2 === 1`; in JSON lines JSON booleans,
 *   the key left out instead of NULL;
 * - text: as is; in CSV quoted (RFC 4180, `"` doubled) when it holds a comma,
 *   a quote, a line break or edge whitespace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT, SOURCE_TABLES, type ColumnSpec, type SourceTable } from '../../functions/core/contract.js';
import { batchPrefix } from '../../functions/core/lake/layout.js';
import type { SourceBatch } from './referenceModel.js';

/** The lake formats the writer produces. */
export type LakeFormat = 'csv' | 'jsonl';

/** A raw spelling: text for CSV, or a JSON value for JSON lines; `undefined` leaves the JSON key out. */
type Spelling = string | number | boolean | null | undefined;

function spell(column: ColumnSpec, value: unknown, rowIndex: number, format: LakeFormat): Spelling {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case 'timestamp':
      return rowIndex % 3 === 1 ? `${String(value).replace(' ', 'T')}Z` : String(value);
    case 'decimal': {
      const number = value as number;
      if (Number(number.toFixed(2)) !== number) throw new RangeError(`${column.name} = ${number} has more than 2 decimals`);
      return format === 'jsonl' && rowIndex % 2 === 1 ? number : number.toFixed(2);
    }
    case 'integer':
      return format === 'jsonl' ? (value as number) : String(value);
    case 'boolean':
      if (value === false && column.name === 'is_deleted' && rowIndex % 2 === 1) return format === 'jsonl' ? undefined : null;
      return format === 'jsonl' ? (value as boolean) : String(value);
    default:
      return String(value);
  }
}

/** One CSV field: NULL empty, quoted when it must be. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]|^\s|\s$|^$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The text of one raw file of a table's rows, with a header row for CSV. */
export function rawFileText(table: SourceTable, rows: readonly object[], format: LakeFormat): string {
  const columns = CONTRACT[table].columns;
  const lines = rows.map((row, i) => {
    const record = row as Readonly<Record<string, unknown>>;
    const spelled = columns.map((c) => [c.name, spell(c, record[c.name], i, format)] as const);
    if (format === 'jsonl') return JSON.stringify(Object.fromEntries(spelled.filter(([, v]) => v !== undefined)));
    return spelled.map(([, v]) => csvField(v === null || v === undefined ? null : String(v))).join(',');
  });
  const header = format === 'csv' ? [columns.map((c) => c.name).join(',')] : [];
  return `${[...header, ...lines].join('\n')}\n`;
}

/** Writes the batches as a raw lake under `dir`: one file per table present in each batch. */
export function writeLake(dir: string, batches: readonly SourceBatch[], format: LakeFormat): void {
  for (const { batchId, rows } of batches) {
    for (const table of SOURCE_TABLES) {
      if (rows[table].length === 0) continue;
      const folder = path.join(dir, batchPrefix('raw', table, batchId));
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, `part-0.${format}`), rawFileText(table, rows[table], format));
    }
  }
}
