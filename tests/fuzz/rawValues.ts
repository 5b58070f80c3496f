/**
 * fast-check arbitraries of raw source values, valid and not: every column of
 * every table gets values of its kind (often valid, so rows reach the
 * warehouse) and values no contract should trust: huge and tiny numbers,
 * every timestamp range and spelling, long and odd strings, any Unicode.
 * Written as CSV or JSON lines, as a shop would send them.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT, SOURCE_TABLES, type ColumnSpec, type SourceTable } from '../../functions/core/contract.js';
import { batchPrefix } from '../../functions/core/lake/layout.js';
import { csvField } from '../reference/lakeWriter.js';

/** A raw value: text, a JSON number token (written bare in JSON lines, as text in CSV), or missing. */
export type RawValue = { readonly text: string } | { readonly number: string } | null;

const text = (value: string): RawValue => ({ text: value });
const number = (token: string): RawValue => ({ number: token });

/** Few keys, so that rows of one key meet across tables and batches. */
const KEY_POOLS: Readonly<Record<string, readonly string[]>> = {
  customer_id: ['c1', 'c2', 'c3'],
  product_id: ['p1', 'p2'],
  order_id: ['o1', 'o2', 'o3'],
  payment_id: ['y1', 'y2'],
  shipment_id: ['s1', 's2'],
};

/** Strings no contract should trust blindly: any Unicode, control characters, quotes, line breaks, long ones. */
const oddStrings = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\t', '"', '""', ',', 'line\nbreak', 'cr\rlf\r\n', '\u0000', 'a\u0000b', '\uFEFFbom', 'yesterday', 'NaN'),
  fc.integer({ min: 250, max: 270 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 84, max: 90 }).map((n) => '漢'.repeat(n)),
  fc.integer({ min: 1020, max: 1030 }).map((n) => 'n'.repeat(n)),
);

/** Text that passes the contract however odd it looks: non-blank, no NUL, within the byte length. */
function validText(column: ColumnSpec): fc.Arbitrary<string> {
  const max = column.maxBytes ?? 256;
  return fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      fc.constantFrom("O'Neil, Jr.", 'the "boss"', 'two\nlines', '\u00A0Paris\u00A0', 'İSTANBUL', 'ΣΟΦΙΑΣ', '🙂', 'a,b'),
      fc.constant('x'.repeat(max)),
      fc.constant('漢'.repeat(Math.floor(max / 3))),
    )
    .filter((v) => !v.includes('\u0000') && v.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '') !== '' && Buffer.byteLength(v.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '')) <= max);
}

const VOCABULARY = ['card', 'CreditCard', 'paypal', 'boleto', 'cancelled', 'Canceled', 'complete', 'in transit', 'shipped', 'delivered', 'smb', 'b2c', 'dhl', 'kitchen', 'held_at_customs'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** An instant written in one of the spellings ISO-8601 allows (and a few it does not). */
function spellInstant(ms: number, style: number, offsetMinutes: number, micros = 0): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  const date = `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const fraction = `.${pad(local.getUTCMilliseconds(), 3)}${pad(micros % 1000, 3)}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  switch (style % 9) {
    case 0:
      return date;
    case 1:
      return `${date} ${time}`;
    case 2:
      return `${date}T${time}Z`;
    case 3:
      return `${date}T${time}${offset}`;
    case 4:
      return `${date}T${time}${fraction}${offset.replace(':', '')}`;
    case 5:
      return `${date}t${time}${fraction}z`;
    case 6:
      return `${date}T${time}${offset.slice(0, 3)}`;
    case 7:
      return `${date}T${time} Europe/Paris`;
    default:
      return `${date.slice(0, 7)}`;
  }
}

const MS_1900 = Date.UTC(1900, 0, 1);
const MS_9999_12_31 = Date.UTC(9999, 11, 31);

/** An instant inside the contract's range, in a valid spelling (styles 0-6; the offset keeps it inside). */
const validInstant = fc
  .tuple(fc.integer({ min: MS_1900 + 86_400_000, max: MS_9999_12_31 - 86_400_000 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }))
  .map(([ms, style, offset]) => spellInstant(ms, style, offset, ms % 997));

/** A JSON number token of a double (JSON has no NaN or Infinity: those go as text). */
const doubleToken = (d: number): RawValue => (Number.isFinite(d) ? number(JSON.stringify(d)) : text(String(d)));

/** A value of the column's kind that passes the contract: ordinary most of the time, extreme (the limits, any year, odd text) often. */
function validArb(column: ColumnSpec): fc.Arbitrary<RawValue> {
  const pool = KEY_POOLS[column.name];
  switch (column.kind) {
    case 'text':
      return fc.oneof({ arbitrary: (pool ? fc.constantFrom(...pool) : fc.string({ minLength: 1, maxLength: 12 }).filter((v) => v.trim() !== '' && !v.includes('\u0000'))).map(text), weight: 4 }, { arbitrary: validText(column).map(text), weight: 1 });
    case 'vocabulary':
      return fc.oneof({ arbitrary: fc.constantFrom(...VOCABULARY).map(text), weight: 4 }, { arbitrary: validText(column).map(text), weight: 1 });
    case 'timestamp':
      return fc.oneof(
        { arbitrary: fc.date({ min: new Date('2023-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => text(d.toISOString())), weight: 3 },
        { arbitrary: validInstant.map(text), weight: 2 },
        { arbitrary: fc.constantFrom('1900-01-01T00:00:00Z', '9999-12-30T23:59:59.999999Z', '9999-12-30T22:00:00-01:00', '1985-06-01', '2075-03-04T10:00:00Z').map(text), weight: 1 },
      );
    case 'integer': {
      const min = Number(column.min ?? 0);
      const max = Number(column.max ?? 0);
      return fc.oneof(
        { arbitrary: fc.integer({ min: Math.max(min, 1), max: Math.min(max, 5) }).map((n) => number(String(n))), weight: 4 },
        { arbitrary: fc.integer({ min, max }).map((n) => (n % 3 === 0 ? text(`${n}.0`) : number(String(n)))), weight: 1 },
        { arbitrary: fc.constantFrom(String(min), String(max)).map(number), weight: 1 },
      );
    }
    case 'decimal': {
      const max = Number(column.max ?? 0);
      // A discount above the line's gross is refused: keep it small, mostly.
      if (column.name === 'discount_amount') return fc.oneof({ arbitrary: fc.constantFrom('0', '0.50', '1').map(text), weight: 5 }, { arbitrary: fc.constant(text(column.max ?? '0')), weight: 1 });
      return fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 100_000 }).map((cents) => (cents % 2 === 0 ? text((cents / 100).toFixed(2)) : number(String(cents / 100)))), weight: 4 },
        { arbitrary: fc.double({ min: 0, max: Math.min(max, 99_999_999_999), noNaN: true }).map((d) => number(String(Math.round(d * 10_000) / 10_000))), weight: 1 },
        { arbitrary: fc.constantFrom(column.max ?? '0', `${column.max ?? '0'}0000`, '0', '1e3', '2.5E-3').map(text), weight: 1 },
      );
    }
    case 'boolean':
      // Deletes mostly not: a deleted item leaves the fact.
      return fc.oneof({ arbitrary: fc.constantFrom('false', 'No', '0', 'F').map(text), weight: 4 }, { arbitrary: fc.constantFrom('true', 'TRUE', 'yes', '1', 't').map(text), weight: 1 });
  }
}

/** A value that the contract may well refuse: any text, numbers of any size, timestamps of any year and spelling. */
function invalidArb(column: ColumnSpec): fc.Arbitrary<RawValue> {
  switch (column.kind) {
    case 'text':
    case 'vocabulary':
    case 'boolean':
      return fc.oneof(oddStrings.map(text), fc.constant(null));
    case 'timestamp': {
      const anyInstant = fc
        .tuple(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), fc.nat(), fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }))
        .map(([ms, style, offset]) => text(spellInstant(ms, style, offset)));
      const edges = fc.constantFrom('1899-12-31T23:59:59.999999Z', '1900-01-01T00:30:00+01:00', '9999-12-31T00:00:00Z', '9999-12-31T12:00:00Z', '2024', '2024-01', '10:00:00', '2024-02-30', '2024-01-01 24:00:00', '0000-01-01');
      return fc.oneof(anyInstant, edges.map(text), oddStrings.map(text), fc.constant(null));
    }
    case 'decimal':
    case 'integer': {
      const huge = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => number(String(n)));
      const scaled = fc.tuple(fc.integer({ min: -99_999, max: 99_999 }), fc.integer({ min: -25, max: 25 })).map(([mantissa, exponent]) => number(`${mantissa}e${exponent}`));
      const edges = fc.constantFrom('-1', '2.5', '100001', '1000000000', '1000000000.0000', '100000000000000', '0.00001', '12.34567', '1,000', 'NaN', 'inf', '0x10', '');
      return fc.oneof(huge, fc.double().map(doubleToken), scaled, edges.map(text), oddStrings.map(text), fc.constant(null));
    }
  }
}

/** One raw row of a table: a value per contract column. */
export type RawRow = Readonly<Record<string, RawValue>>;

/** The value of a column at its limit: the largest number, the last instant, the longest text; a key from its pool. */
function extremeArb(column: ColumnSpec): fc.Arbitrary<RawValue> {
  const pool = KEY_POOLS[column.name];
  if (pool !== undefined) return fc.constantFrom(...pool).map(text);
  switch (column.kind) {
    case 'text':
    case 'vocabulary':
      return fc.constantFrom('x'.repeat(column.maxBytes ?? 1), '漢'.repeat(Math.floor((column.maxBytes ?? 3) / 3))).map(text);
    case 'timestamp':
      return fc.constantFrom('1900-01-01T00:00:00Z', '9999-12-30T23:59:59.999999Z').map(text);
    case 'decimal':
    case 'integer':
      // A discount above the gross is refused: at its limit, it is none.
      return fc.constant(column.name === 'discount_amount' ? text('0') : number(column.max ?? '0'));
    case 'boolean':
      return fc.constant(text('false'));
  }
}

/**
 * A row that would pass the contract, ordinary or, one in four, with every
 * column at its limit; one row in three then gets one column spoiled with a
 * value the contract may refuse.
 */
function rowArb(table: SourceTable): fc.Arbitrary<RawRow> {
  const columns = CONTRACT[table].columns;
  const ordinary = fc.record(
    Object.fromEntries(columns.map((c) => [c.name, c.required ? validArb(c) : fc.oneof({ arbitrary: validArb(c), weight: 3 }, { arbitrary: fc.constant(null), weight: 1 })])),
  ) as fc.Arbitrary<Record<string, RawValue>>;
  const extreme = fc.record(Object.fromEntries(columns.map((c) => [c.name, extremeArb(c)]))) as fc.Arbitrary<Record<string, RawValue>>;
  const valid = fc.oneof({ arbitrary: ordinary, weight: 3 }, { arbitrary: extreme, weight: 1 });
  const spoil = fc.integer({ min: 0, max: columns.length - 1 }).chain((i) => invalidArb(columns[i] as ColumnSpec).map((value) => ({ column: (columns[i] as ColumnSpec).name, value })));
  const spoiler = fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: spoil, weight: 1 });
  return fc.tuple(valid, spoiler).map(([row, spoil]) => (spoil === null ? row : { ...row, [spoil.column]: spoil.value }));
}

/** The raw files of one batch: per table, its rows and the format they are written in. */
export type RawBatch = Readonly<Record<SourceTable, { readonly format: 'csv' | 'jsonl'; readonly rows: readonly RawRow[] }>>;

export const rawBatchArb: fc.Arbitrary<RawBatch> = fc.record(
  Object.fromEntries(SOURCE_TABLES.map((t) => [t, fc.record({ format: fc.constantFrom('csv' as const, 'jsonl' as const), rows: fc.array(rowArb(t), { minLength: 1, maxLength: 6 }) })])),
) as fc.Arbitrary<RawBatch>;

function csvLine(table: SourceTable, row: RawRow): string {
  return CONTRACT[table].columns
    .map((c) => {
      const value = row[c.name] ?? null;
      return csvField(value === null ? null : 'text' in value ? value.text : value.number);
    })
    .join(',');
}

function jsonLine(table: SourceTable, row: RawRow): string {
  const members = CONTRACT[table].columns.flatMap((c) => {
    const value = row[c.name] ?? null;
    if (value === null) return [];
    return [`${JSON.stringify(c.name)}:${'text' in value ? JSON.stringify(value.text) : value.number}`];
  });
  return `{${members.join(',')}}`;
}

/** Writes batch `b<i>` of each table that has rows as `<lake>/raw/<table>/batch_id=b<i>/part-0.<format>`; returns the files written with their row counts. */
export function writeRawBatches(lake: string, batches: readonly RawBatch[]): { file: string; rows: number }[] {
  const written: { file: string; rows: number }[] = [];
  for (const [index, batch] of batches.entries()) {
    for (const table of SOURCE_TABLES) {
      const { format, rows } = batch[table];
      if (rows.length === 0) continue;
      const relative = `${batchPrefix('raw', table, `b${index}`)}/part-0.${format}`;
      mkdirSync(path.join(lake, path.dirname(relative)), { recursive: true });
      const lines = format === 'csv' ? [CONTRACT[table].columns.map((c) => c.name).join(','), ...rows.map((r) => csvLine(table, r))] : rows.map((r) => jsonLine(table, r));
      writeFileSync(path.join(lake, relative), `${lines.join('\n')}\n`);
      written.push({ file: relative, rows: rows.length });
    }
  }
  return written;
}
