/**
 * The contract's value rules as SQL expressions, for DuckDB and Spark SQL: how
 * a raw string becomes a typed silver value, and the reason a row is
 * quarantined when it cannot. The normalization SQL calls them as macros,
 * `{{ value_parts(table.column, text) }}`, `{{ parse_value(table.column, text) }}` and
 * `{{ value_problem(table.column, text, value) }}`, so each column's kind and
 * limits come from contract.json, never from the SQL.
 *
 * A number or timestamp text outside its common shape is taken apart by
 * regular expressions (digits, exponent; date, time, offset). value_parts does
 * that once, into columns named after the text column (`quantity_text` →
 * `quantity_text_digits`, `quantity_text_point`), which parse_value and value_problem then read from
 * the relation their text comes from: written inline, the same regexp_extract
 * was repeated up to 40 times per value, and DuckDB spent most of a small
 * batch's normalization binding and planning 12–55 KB of SQL.
 *
 * Both engines see the same strict texts: a value is trimmed of ASCII
 * whitespace, matched in full by a regular expression (RE2 and Java agree on
 * these patterns), and only then cast; no cast ever guesses a format or reads
 * a session time zone.
 */
import { CONTRACT, VALUE_RULES, isSourceTable, type ColumnSpec, type SourceTable } from '../contract.js';
import { SqlTemplateError } from '../errors.js';

/** The engines normalization runs on. */
export type NormalizeDialect = 'duckdb' | 'spark';

/** What differs between the two engines, and nothing else. */
interface Flavor {
  /** True when the whole of `x` matches `pattern`. */
  fullMatch(x: string, pattern: string): string;
  /** True when `pattern` matches somewhere in `x`. */
  matches(x: string, pattern: string): string;
  /** Group `group` (1-based) of `pattern` matched against the whole of `x`, '' when absent or unmatched. */
  group(x: string, pattern: string, group: number): string;
  /** `x` without the characters of `chars` (a SQL string expression) at its start, end or both. */
  trimChars(x: string, chars: string, side?: 'both' | 'leading' | 'trailing'): string;
  byteLength(x: string): string;
  timestampType: string;
  /** A `YYYY-MM-DD[( |T)HH:MM[:SS[.fffffffff]][Z]]` text as a timestamp without time zone (Z ignored), NULL when it is no date. */
  naiveTimestamp(text: string): string;
  /** `x` cast to `type`, NULL when it does not convert. */
  tryCast(x: string, type: string): string;
  /** `ts` minus `minutes` (an integer expression). */
  minusMinutes(ts: string, minutes: string): string;
}

const FLAVORS: Readonly<Record<NormalizeDialect, Flavor>> = {
  duckdb: {
    fullMatch: (x, p) => `regexp_full_match(${x}, '${p}')`,
    matches: (x, p) => `regexp_matches(${x}, '${p}')`,
    group: (x, p, g) => `regexp_extract(${x}, '^(?:${p})$', ${g})`,
    trimChars: (x, chars, side = 'both') => `${{ both: 'trim', leading: 'ltrim', trailing: 'rtrim' }[side]}(${x}, ${chars})`,
    byteLength: (x) => `strlen(${x})`,
    timestampType: 'timestamp',
    naiveTimestamp: (text) => `try_cast(${text} as timestamp)`,
    tryCast: (x, type) => `try_cast(${x} as ${type})`,
    minusMinutes: (ts, minutes) => `(${ts} - to_minutes(${minutes}))`,
  },
  spark: {
    // Java's $ also matches before a final line terminator ('12\n', '12\u2028'): \z is the end.
    fullMatch: (x, p) => `(${x} rlike '^(?:${p})\\\\z')`,
    // Spark SQL string literals read backslash escapes: the regex's own backslashes are doubled.
    matches: (x, p) => `(${x} rlike '${p.replaceAll('\\', '\\\\')}')`,
    group: (x, p, g) => `regexp_extract(${x}, '^(?:${p})\\\\z', ${g})`,
    trimChars: (x, chars, side = 'both') => `trim(${side.toUpperCase()} ${chars} FROM ${x})`,
    byteLength: (x) => `octet_length(${x})`,
    timestampType: 'timestamp_ntz',
    naiveTimestamp: (text) => `try_cast(translate(${text}, 'TZ', ' ') as timestamp_ntz)`,
    tryCast: (x, type) => `try_cast(${x} as ${type})`,
    minusMinutes: (ts, minutes) => `(${ts} - make_dt_interval(0, 0, ${minutes}, 0))`,
  },
};

/** ASCII whitespace: space, tab, line feed, vertical tab, form feed, carriage return. */
const WHITESPACE = "(' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))";
/** A value that starts or ends with ASCII whitespace (RE2 and Java read these escapes alike). */
const EDGE_WHITESPACE = '^[ \\t\\n\\x0B\\f\\r]|[ \\t\\n\\x0B\\f\\r]$';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const TRUE_WORDS = "('true', 't', '1', 'yes', 'y')";
const FALSE_WORDS = "('false', 'f', '0', 'no', 'n')";

// ISO-8601: a date, or a date and a time with an optional offset (Z, ±hh, ±hhmm, ±hh:mm).
const DATE = '[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])';
const TIME = '(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,9})?)?';
const OFFSET = '[Zz]|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?';
/** Groups: 1 a date alone; 2 a date and time; 3 its offset. */
const TIMESTAMP_PATTERN = `(${DATE})|(${DATE}[Tt ]${TIME})(${OFFSET})?`;

/** Any number: sign, digits with an optional point, an optional exponent of at most 4 digits. */
const NUMBER_PATTERN = '[+-]?(?:[0-9]+(?:[.][0-9]*)?|[.][0-9]+)(?:[eE][+-]?[0-9]{1,4})?';
/** Groups: 1 integer digits, 2 fraction digits, 3 exponent. */
const NUMBER_PARTS = '[+-]?([0-9]*)(?:[.]([0-9]*))?(?:[eE]([+-]?[0-9]{1,4}))?';

/**
 * ASCII whitespace trimmed; the same on both engines (DuckDB's plain trim also
 * strips Unicode spaces, Spark's only ' '). Trimming a set of characters is
 * slow in DuckDB, so it runs only on the values that need it.
 */
export function trimmed(dialect: NormalizeDialect, x: string): string {
  const f = FLAVORS[dialect];
  return `(case when ${f.matches(x, EDGE_WHITESPACE)} then ${f.trimChars(x, WHITESPACE)} else ${x} end)`;
}

/**
 * ASCII letters lower-cased: the engines' lower() disagree on some Unicode
 * letters (İ, a final Σ). translate() is slow in DuckDB, so it runs only on the
 * values with a letter to change.
 */
export function lowerAscii(dialect: NormalizeDialect, x: string): string {
  return `(case when ${FLAVORS[dialect].matches(x, '[A-Z]')} then translate(${x}, '${UPPER}', '${LOWER}') else ${x} end)`;
}

/** ASCII letters upper-cased (see lowerAscii). */
export function upperAscii(dialect: NormalizeDialect, x: string): string {
  return `(case when ${FLAVORS[dialect].matches(x, '[a-z]')} then translate(${x}, '${LOWER}', '${UPPER}') else ${x} end)`;
}

/** A contract column named `table.column` in a macro argument. */
export function contractColumn(reference: string): { table: SourceTable; column: ColumnSpec } {
  const [table, name, ...rest] = reference.split('.');
  const column = table !== undefined && isSourceTable(table) && rest.length === 0 ? CONTRACT[table].columns.find((c) => c.name === name) : undefined;
  if (table === undefined || !isSourceTable(table) || column === undefined) {
    throw new SqlTemplateError(`'${reference}' is not a contract column (expected <table>.<column>)`);
  }
  return { table, column };
}

/** A raw value trimmed of ASCII whitespace; NULL when nothing is left (a missing value). */
export function textOf(dialect: NormalizeDialect, raw: string): string {
  return `nullif(${trimmed(dialect, raw)}, '')`;
}

/** The typed value of a trimmed text (see textOf): NULL when missing or invalid. */
export function parseValue(dialect: NormalizeDialect, reference: string, t: string): string {
  const { column } = contractColumn(reference);
  switch (column.kind) {
    case 'text':
      return t;
    case 'vocabulary':
      return lowerAscii(dialect, t);
    case 'boolean':
      return `(case when ${lowerAscii(dialect, t)} in ${TRUE_WORDS} then true when ${lowerAscii(dialect, t)} in ${FALSE_WORDS} then false end)`;
    case 'timestamp':
      return timestampValue(dialect, t);
    case 'decimal':
    case 'integer':
      return numberValue(dialect, column, t);
  }
}

/**
 * Why a trimmed text `t` with the typed value `v` (parseValue) cannot be the
 * column's value, naming the column and its limit; NULL when it can. A
 * missing optional value is no problem. The detailed reasons of an invalid
 * text are worked out only for the rows that have one.
 */
export function valueProblem(dialect: NormalizeDialect, reference: string, t: string, v: string): string {
  const { table, column } = contractColumn(reference);
  const f = FLAVORS[dialect];
  const missing = column.required ? `'missing ${CONTRACT[table].key.includes(column.name) ? 'key' : 'required'} ${column.name}'` : 'null';
  const problem = ((): string => {
    switch (column.kind) {
      case 'text':
      case 'vocabulary':
        return `when ${f.byteLength(v)} > ${column.maxBytes} then '${column.name} is longer than ${column.maxBytes} bytes'
            when instr(${v}, chr(0)) > 0 then '${column.name} contains a NUL character'`;
      case 'boolean':
        return `when ${v} is null then '${column.name} is not a boolean'`;
      case 'timestamp': {
        const { min, maxExclusive } = VALUE_RULES.timestamp;
        return `when ${v} is null then '${column.name} is not a timestamp'
            when ${v} < cast('${min}' as ${f.timestampType}) or ${v} >= cast('${maxExclusive}' as ${f.timestampType})
                then '${column.name} is out of range [${min}, ${maxExclusive})'`;
      }
      case 'decimal':
      case 'integer':
        return numberProblem(dialect, column, t, v);
    }
  })();
  return `(case when ${t} is null then ${missing}
            ${problem}
        end)`;
}

/** A timestamp text of the common shape (no offset, or Z), which both engines cast as it is. */
const COMMON_TIMESTAMP = `${DATE}(?:[T ]${TIME}Z?)?`;

// The timestamp a text names, in UTC. The common shapes (no offset, or Z) are cast
// at once; an offset is taken apart (valueParts) and subtracted.
function timestampValue(dialect: NormalizeDialect, t: string): string {
  const f = FLAVORS[dialect];
  const naive = (text: string): string => f.naiveTimestamp(text);
  const dateOnly = partColumn(t, 'date');
  const dateTime = partColumn(t, 'datetime');
  const offset = partColumn(t, 'offset');
  // try_cast, not cast: DuckDB may hoist a repeated expression out of its CASE and run it on every row.
  const minutes = `(case when upper(${offset}) = 'Z' then 0 else (case when substr(${offset}, 1, 1) = '-' then -1 else 1 end)
            * (${f.tryCast(`substr(${offset}, 2, 2)`, 'integer')} * 60 + (case when length(${offset}) > 3 then ${f.tryCast(`substr(${offset}, length(${offset}) - 1, 2)`, 'integer')} else 0 end)) end)`;
  return `(case
        when ${f.fullMatch(t, COMMON_TIMESTAMP)} then ${naive(t)}
        when ${f.fullMatch(t, TIMESTAMP_PATTERN)} then ${f.minusMinutes(naive(`upper(coalesce(nullif(${dateOnly}, ''), ${dateTime}))`), minutes)}
    end)`;
}

// Plain decimals of the common shape are cast at once; anything else the number
// syntax allows (exponents, more zeros) is checked digit by digit first, so a
// value is never rounded: it fits exactly or it is quarantined.
function simplePattern(column: ColumnSpec): string {
  const { precision, scale } = VALUE_RULES.decimal;
  return column.kind === 'integer'
    ? `[+-]?[0-9]{1,${VALUE_RULES.integer.maxDigits}}`
    : `[+-]?(?:[0-9]{1,${precision - scale}}(?:[.][0-9]{0,${scale}})?|[.][0-9]{1,${scale}})`;
}

/** The groups of TIMESTAMP_PATTERN, by the name of their column (see valueParts). */
const TIMESTAMP_GROUPS = { date: 1, datetime: 2, offset: 3 } as const;

/** The column holding part `part` of the text column `t` (a column reference, maybe qualified). */
function partColumn(t: string, part: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(t)) {
    throw new SqlTemplateError(`'${t}' is not a column reference: the parts of a number or timestamp are read from columns named after its text column`);
  }
  return `${t}_${part}`;
}

/** The alias of a part column of `t` (its column name without the relation). */
function partAlias(t: string, part: string): string {
  return partColumn(t, part).split('.').pop() as string;
}

/** Whether value_parts takes the column's texts apart: numbers and timestamps. */
export function hasValueParts(column: Pick<ColumnSpec, 'kind'>): boolean {
  return column.kind === 'decimal' || column.kind === 'integer' || column.kind === 'timestamp';
}

/**
 * The select-list items (`expr as alias`, comma separated) that take a trimmed
 * text apart once, for the number and timestamp columns: NULL where the text
 * has the common shape, which parse_value casts without its parts.
 */
export function valueParts(dialect: NormalizeDialect, reference: string, t: string): string {
  const { column } = contractColumn(reference);
  const f = FLAVORS[dialect];
  const items = (common: string, parts: Readonly<Record<string, string>>): string =>
    Object.entries(parts)
      .map(([part, expression]) => `(case when not ${common} then ${expression} end) as ${partAlias(t, part)}`)
      .join(',\n        ');
  if (!hasValueParts(column)) throw new SqlTemplateError(`${reference} is a ${column.kind} column: only number and timestamp columns have parts`);
  if (column.kind === 'timestamp') {
    return items(
      f.fullMatch(t, COMMON_TIMESTAMP),
      Object.fromEntries(Object.entries(TIMESTAMP_GROUPS).map(([part, group]) => [part, f.group(t, TIMESTAMP_PATTERN, group)])),
    );
  }
  // The digits around the decimal point, and where the point falls in them once the exponent is applied.
  const whole = f.group(t, NUMBER_PARTS, 1);
  const exponent = `coalesce(${f.tryCast(`nullif(${f.group(t, NUMBER_PARTS, 3)}, '')`, 'integer')}, 0)`;
  return items(f.fullMatch(t, simplePattern(column)), { digits: `(${whole} || ${f.group(t, NUMBER_PARTS, 2)})`, point: `(length(${whole}) + ${exponent})` });
}

/**
 * The digits of any number text around its decimal point, exponent applied:
 * how many integer and fraction digits it needs (leading and trailing zeros
 * aside), and the same number as plain text, `[-]int.frac`, which every
 * engine casts exactly (DuckDB reads '0.00000000000000000001e20' as 0).
 * Built from the text's parts (valueParts), set wherever the text is not of
 * the common shape.
 */
function numberParts(dialect: NormalizeDialect, t: string): { significant: string; integerDigits: string; fractionDigits: string; plain: string } {
  const f = FLAVORS[dialect];
  const digits = partColumn(t, 'digits');
  const point = partColumn(t, 'point');
  const significant = f.trimChars(digits, "'0'", 'leading');
  // Zeros around the digits so that the point falls inside them, then split there.
  const leftPad = `(case when ${point} < 0 then -${point} else 0 end)`;
  const padded = `(repeat('0', ${leftPad}) || ${digits} || repeat('0', (case when ${point} > length(${digits}) then ${point} - length(${digits}) else 0 end)))`;
  const integerText = `substr(${padded}, 1, ${point} + ${leftPad})`;
  const fractionText = `substr(${padded}, ${point} + ${leftPad} + 1)`;
  const sign = `(case when substr(${t}, 1, 1) = '-' then '-' else '' end)`;
  return {
    significant,
    integerDigits: `(${point} - (length(${digits}) - length(${significant})))`,
    fractionDigits: `(length(${f.trimChars(digits, "'0'", 'trailing')}) - ${point})`,
    plain: `(${sign} || coalesce(nullif(${f.trimChars(integerText, "'0'", 'leading')}, ''), '0') || '.' || coalesce(nullif(${f.trimChars(fractionText, "'0'", 'trailing')}, ''), '0'))`,
  };
}

function limits(column: ColumnSpec): { scale: number; integerDigits: number } {
  const { precision, scale } = VALUE_RULES.decimal;
  return column.kind === 'integer' ? { scale: 0, integerDigits: VALUE_RULES.integer.maxDigits } : { scale, integerDigits: precision - scale };
}

function numberValue(dialect: NormalizeDialect, column: ColumnSpec, t: string): string {
  const f = FLAVORS[dialect];
  const { precision, scale } = VALUE_RULES.decimal;
  // An integer with a point or an exponent goes through decimal(38, 4): slower, and rare.
  const exact = (x: string): string => (column.kind === 'integer' ? f.tryCast(f.tryCast(x, `decimal(38, ${scale})`), 'bigint') : f.tryCast(x, `decimal(${precision}, ${scale})`));
  const cast = (x: string): string => (column.kind === 'integer' ? f.tryCast(x, 'bigint') : exact(x));
  const parts = numberParts(dialect, t);
  const allowed = limits(column);
  return `(case
        when ${f.fullMatch(t, simplePattern(column))} then ${cast(t)}
        when not ${f.fullMatch(t, NUMBER_PATTERN)} then null
        when ${parts.significant} = '' then ${exact("'0'")}
        when ${parts.fractionDigits} <= ${allowed.scale} and ${parts.integerDigits} <= ${allowed.integerDigits} then ${exact(parts.plain)}
    end)`;
}

function numberProblem(dialect: NormalizeDialect, column: ColumnSpec, t: string, v: string): string {
  const f = FLAVORS[dialect];
  const { scale } = VALUE_RULES.decimal;
  const parts = numberParts(dialect, t);
  const allowed = limits(column);
  const notANumber = column.kind === 'integer' ? 'is not an integer' : 'is not a number';
  const tooPrecise = column.kind === 'integer' ? 'is not an integer' : `has more than ${scale} decimal places (rounding would lose precision)`;
  const min = column.min ?? '0';
  const max = column.max ?? '0';
  return `when ${v} is null and not ${f.fullMatch(t, NUMBER_PATTERN)} then '${column.name} ${notANumber}'
            when ${v} is null and ${parts.fractionDigits} > ${allowed.scale} then '${column.name} ${tooPrecise}'
            when ${v} is null then '${column.name} is out of range (max ${max})'
            when ${v} < 0 and ${min} >= 0 then '${column.name} is negative'
            when ${v} = 0 and ${min} > 0 then '${column.name} is zero'
            when ${v} < ${min} then '${column.name} is out of range (min ${min})'
            when ${v} > ${max} then '${column.name} is out of range (max ${max})'`;
}
