/**
 * Every engine-specific piece of SQL text, in one place. SQL files under sql/
 * are written in the subset the engines share and call these as macros:
 * `{{ name(arg, ...) }}` or `{{ name }}`. Arguments are plain expressions
 * without commas or braces (column references in practice).
 *
 * Normalization SQL runs on DuckDB (local) and Spark SQL (the Glue job);
 * warehouse SQL runs on DuckDB (local) and Redshift.
 */

import { VALUE_RULES } from '../contract.js';
import { lowerAscii, parseValue, textOf, upperAscii, valueParts, valueProblem, type NormalizeDialect } from './valueRules.js';

export const SQL_DIALECTS = ['duckdb', 'redshift', 'spark'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

type Macro = (...args: string[]) => string;

/** How NULL is spelled inside row hashes (any value a source cannot send). */
export const HASH_NULL = '<null>';

const rowHash: Macro = (...cols) =>
  `md5(concat_ws('|', ${cols.map((c) => `coalesce(cast(${c} as string), '${HASH_NULL}')`).join(', ')}))`;

const none: Macro = () => '';

// A reconciliation test's row from a full outer join of what the facts expect
// with what is stored: 'missing ' (not stored), 'extra ' (stored, not
// expected) or 'differs '; the test appends the row's key.
const reconciliationFailure: Macro = (expectedKey, storedKey) =>
  `case when ${storedKey} is null then 'missing ' when ${expectedKey} is null then 'extra ' else 'differs ' end`;

// The SCD2 sentinels (SPEC section 3) are the contract's timestamp bounds: every
// version tiles [low, high), and no source timestamp falls outside them.
const lowSentinel: Macro = () => `cast('${VALUE_RULES.timestamp.min}' as timestamp)`;
const highSentinel: Macro = () => `cast('${VALUE_RULES.timestamp.maxExclusive}' as timestamp)`;

// The column type of a total of decimal(18,4) amounts (SPEC bounds each amount, not
// how many an order or a day adds up). DuckDB stores decimal(38,4) as a 128-bit
// integer and bit-packs it, which made reading it 15-20x slower than a bigint
// decimal (2 M values: 1.5-2.3 s against 0.1 s, a sum 1.8 s against 0.01 s);
// stored uncompressed it reads in ~0.2 s, for 16 bytes a value.
const TOTAL_DECIMAL = 'decimal(38,4)';

// A known.* row as known at a load (default :known_seq): opened at or before it, not yet closed by then.
const knownAt: Macro = (alias, load = ':known_seq') =>
  `(${alias}.known_from <= ${load} and (${alias}.known_to is null or ${alias}.known_to > ${load}))`;

// Hours between two timestamps with 2 decimals, rounded half away from zero, in
// integer arithmetic: DuckDB divides decimals in DOUBLE, whose rounding at .xx5
// would depend on binary representation rather than on the seconds.
const lagHours = (secondsBetween: Macro, integerDivide: string): Macro => (from, to) => {
  const seconds = secondsBetween(from as string, to as string);
  return `cast(cast((case when ${seconds} < 0 then -1 else 1 end) * ((abs(${seconds}) * 2 + 36) ${integerDivide} 72) as decimal(18,0)) * 0.01 as decimal(18,2))`;
};
// The contract's value rules (valueRules.ts): `column` is `<table>.<column>`, `text` a raw
// value trimmed by text_of (parse_value and value_problem read a number's or timestamp's
// parts from the columns value_parts made of it), `value` what parse_value made of it.
const valueMacros = (dialect: NormalizeDialect): Readonly<Record<string, Macro>> => ({
  text_of: (raw = '') => textOf(dialect, raw),
  value_parts: (column = '', text = '') => valueParts(dialect, column, text),
  parse_value: (column = '', text = '') => parseValue(dialect, column, text),
  value_problem: (column = '', text = '', value = '') => valueProblem(dialect, column, text, value),
  lower_ascii: (x = '') => lowerAscii(dialect, x),
  upper_ascii: (x = '') => upperAscii(dialect, x),
});

/**
 * `x` cut to at most `n` bytes of UTF-8, with `...` when cut: Redshift counts
 * varchar limits in bytes, but LEFT() counts characters on every engine, so
 * the cut tries n-3 characters, then half, a third and a quarter of that (a
 * UTF-8 character is at most 4 bytes), and takes the first that fits. The
 * same steps on every engine give the same text.
 */
const truncateBytes = (byteLength: (x: string) => string): Macro => (x, n) => {
  const limit = Number(n);
  if (!Number.isInteger(limit) || limit < 4) throw new Error(`truncate_bytes: limit ${n} is not a whole number of at least 4 bytes`);
  const room = limit - 3;
  const tries = [1, 2, 3, 4].map((share) => Math.floor(room / share));
  return `(case when ${byteLength(x)} <= ${limit} then ${x}${tries
    .slice(0, 3)
    .map((chars) => ` when ${byteLength(`left(${x}, ${chars})`)} <= ${room} then left(${x}, ${chars}) || '...'`)
    .join('')} else left(${x}, ${tries[3]}) || '...' end)`;
};

export const DIALECT_MACROS: Readonly<Record<SqlDialect, Readonly<Record<string, Macro>>>> = {
  duckdb: {
    ...valueMacros('duckdb'),
    row_hash: rowHash,
    reconciliation_failure: reconciliationFailure,
    low_sentinel: lowSentinel,
    high_sentinel: highSentinel,
    surrogate_key: (...cols) =>
      `cast('0x' || left(md5(${cols.map((c) => `cast(${c} as varchar)`).join(" || '|' || ")}), 15) as bigint)`,
    total_decimal: () => `${TOTAL_DECIMAL} using compression uncompressed`,
    diststyle_all: none,
    distkey: none,
    sortkey: none,
    hours_between: (from, to) => `date_diff('hour', ${from}, ${to})`,
    seconds_between: (from, to) => `date_diff('second', ${from}, ${to})`,
    lag_hours: lagHours((from, to) => `date_diff('second', ${from}, ${to})`, '//'),
    same: (a, b) => `(${a} is not distinct from ${b})`,
    known_at: knownAt,
    // One connection serves every step locally, so a step's temp table may still be there.
    create_temp_table: (name) => `create or replace temp table ${name}`,
    now: () => 'cast(current_timestamp as timestamp)',
    string_agg: (x) => `string_agg(${x}, ', ' order by ${x})`,
    // strlen counts bytes (length counts characters).
    truncate_bytes: truncateBytes((x) => `strlen(${x})`),
  },
  spark: {
    ...valueMacros('spark'),
    row_hash: rowHash,
  },
  redshift: {
    reconciliation_failure: reconciliationFailure,
    low_sentinel: lowSentinel,
    high_sentinel: highSentinel,
    surrogate_key: (...cols) =>
      `strtol(left(md5(${cols.map((c) => `cast(${c} as varchar)`).join(" || '|' || ")}), 15), 16)`,
    total_decimal: () => TOTAL_DECIMAL,
    diststyle_all: () => 'diststyle all',
    distkey: (col) => `distkey(${col})`,
    sortkey: (...cols) => `compound sortkey(${cols.join(', ')})`,
    hours_between: (from, to) => `datediff(hour, ${from}, ${to})`,
    seconds_between: (from, to) => `datediff(second, ${from}, ${to})`,
    // bigint / bigint is integer division (truncating) on Redshift
    lag_hours: lagHours((from, to) => `datediff(second, ${from}, ${to})`, '/'),
    // Redshift has no IS [NOT] DISTINCT FROM. Two-valued like it: a = b is NULL when
    // one side is, and NOT NULL would hide a change from NULL to a value.
    same: (a, b) => `(coalesce(${a} = ${b}, false) or (${a} is null and ${b} is null))`,
    known_at: knownAt,
    // Each BatchExecuteStatement runs in a session of its own: no temp table is left
    // from before, and no DROP is spent of the 40 statements a batch may hold.
    create_temp_table: (name) => `create temp table ${name}`,
    // current_timestamp is leader-node only on Redshift: it cannot be written into user tables.
    now: () => 'sysdate',
    string_agg: (x) => `listagg(${x}, ', ') within group (order by ${x})`,
    truncate_bytes: truncateBytes((x) => `octet_length(${x})`),
  },
};
