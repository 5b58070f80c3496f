/**
 * Redshift SQL on PostgreSQL: every difference the offline warehouse papers
 * over, in this one file. The pipeline renders its SQL for Redshift
 * (functions/core/sql/dialects.ts); PostgresEngine runs that text after
 * `translateRedshift`, in a session prepared by `SESSION_SETUP` and
 * `SHIM_FUNCTIONS`. Nothing else is rewritten, so a construct missing here
 * fails loudly on PostgreSQL instead of being silently emulated.
 *
 * | Redshift                                     | on PostgreSQL                                             |
 * |----------------------------------------------|-----------------------------------------------------------|
 * | `sysdate` (transaction start, UTC)           | `localtimestamp` with the session time zone UTC           |
 * | `getdate()` (statement start, whole seconds) | `statement_timestamp()` in UTC, truncated to the second   |
 * | `datediff(hour, a, b)` (boundaries crossed)  | `datediff('hour', a, b)`, a SQL function below            |
 * | `dateadd(hour, n, t)`                        | `dateadd('hour', n, t)`, a SQL function below             |
 * | `listagg(x, d) within group (order by o)`    | `string_agg(cast(x as text), d order by o)`               |
 * | `strtol(text, base)`                         | `strtol(text, integer)`, a PL/pgSQL function below        |
 * | `nvl(a, b)`                                  | `coalesce(a, b)`                                          |
 * | `diststyle`, `distkey`, `sortkey`, `encode`  | dropped from CREATE TABLE (physical layout only)          |
 * | `varchar(n)` counts BYTES                    | `varchar(n)` plus `check (octet_length(col) <= n)`        |
 * | `'...'` reads backslash escapes              | `standard_conforming_strings = off`                       |
 * | COPY ... FORMAT AS PARQUET (by position)     | parquetCopy.ts: DuckDB writes CSV, server-side COPY reads |
 * | CTAS tables are analyzed on creation         | `analyze` after `create [temp] table ... as` (createdByCtas) |
 * | equality joins by hash or merge join         | `enable_nestloop = off` (nested loops only when no other way) |
 *
 * What PostgreSQL cannot prove about Redshift is listed in docs/cloud.md.
 */
import { endOfLiteralOrComment } from '../../functions/core/engine/parameters.js';

/** Settings of every session: UTC like Redshift's default, and Redshift's string literal rules. */
export const SESSION_SETUP: readonly string[] = [
  `set time zone 'UTC'`,
  // Redshift reads backslash escapes inside '...' (parameters.ts scans literals the same way).
  'set standard_conforming_strings = off',
  'set escape_string_warning = off',
  // Redshift runs each Data API batch as one serializable transaction.
  'set default_transaction_isolation = serializable',
  // Redshift joins on an equality by hash or merge join, and nests loops only for a join
  // without one. PostgreSQL, misled by stale statistics of tables just written, chose
  // nested loops that re-ran a subquery per row (minutes for a scale-0.02 batch).
  'set enable_nestloop = off',
];

/** Functions Redshift has and PostgreSQL lacks, created once per database (idempotent). */
export const SHIM_FUNCTIONS: readonly string[] = [
  // Redshift DATEDIFF counts datepart boundaries crossed between the two values, as DuckDB's date_diff does.
  `create or replace function public.datediff(part text, a timestamp, b timestamp) returns bigint
   language plpgsql immutable as $fn$
   begin
     case lower(part)
       when 'second', 'seconds', 's', 'sec', 'secs' then return extract(epoch from date_trunc('second', b) - date_trunc('second', a))::bigint;
       when 'minute', 'minutes', 'm', 'min', 'mins' then return (extract(epoch from date_trunc('minute', b) - date_trunc('minute', a)) / 60)::bigint;
       when 'hour', 'hours', 'h', 'hr', 'hrs' then return (extract(epoch from date_trunc('hour', b) - date_trunc('hour', a)) / 3600)::bigint;
       when 'day', 'days', 'd' then return (date_trunc('day', b)::date - date_trunc('day', a)::date)::bigint;
       else raise exception 'datediff shim: datepart % is not emulated (redshiftShims.ts)', part;
     end case;
   end $fn$`,
  `create or replace function public.dateadd(part text, n bigint, t timestamp) returns timestamp
   language plpgsql immutable as $fn$
   begin
     case lower(part)
       when 'second', 'seconds', 's' then return t + n * interval '1 second';
       when 'minute', 'minutes', 'm' then return t + n * interval '1 minute';
       when 'hour', 'hours', 'h' then return t + n * interval '1 hour';
       when 'day', 'days', 'd' then return t + n * interval '1 day';
       when 'month', 'months', 'mon' then return t + n * interval '1 month';
       when 'year', 'years', 'y' then return t + n * interval '1 year';
       else raise exception 'dateadd shim: datepart % is not emulated (redshiftShims.ts)', part;
     end case;
   end $fn$`,
  // Redshift STRTOL(text, base) -> bigint; invalid digits are an error there too.
  `create or replace function public.strtol(digits text, base integer) returns bigint
   language plpgsql immutable strict as $fn$
   declare
     result bigint := 0;
     d integer;
   begin
     if base < 2 or base > 36 then raise exception 'strtol: base % out of range', base; end if;
     for i in 1 .. length(digits) loop
       d := position(lower(substr(digits, i, 1)) in '0123456789abcdefghijklmnopqrstuvwxyz') - 1;
       if d < 0 or d >= base then raise exception 'strtol: % is not a base-% number', digits, base; end if;
       result := result * base + d;
     end loop;
     return result;
   end $fn$`,
];

/** A statement's text with literals, quoted identifiers and comments swapped for markers, and the way back. */
interface Masked {
  readonly code: string;
  restore(text: string): string;
}

const MARK = '\u0000';

/** Hides every string literal, quoted identifier, dollar body and comment, so rewrites only see code. */
export function maskLiterals(sql: string): Masked {
  const hidden: string[] = [];
  let code = '';
  let i = 0;
  const hide = (end: number): void => {
    code += `${MARK}${hidden.length}${MARK}`;
    hidden.push(sql.slice(i, end));
    i = end;
  };
  while (i < sql.length) {
    const end = endOfLiteralOrComment(sql, i);
    if (end > i) hide(end);
    else {
      code += sql[i] as string;
      i += 1;
    }
  }
  const pattern = new RegExp(`${MARK}(\\d+)${MARK}`, 'g');
  return { code, restore: (text) => text.replace(pattern, (_m, n: string) => hidden[Number(n)] as string) };
}

/** Index just past the parenthesis that closes the one at `open`. */
function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth += 1;
    else if (code[i] === ')') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced parentheses after position ${open}`);
}

/** Splits a parenthesised list's inside on its top-level commas. */
function topLevelItems(inside: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inside.length; i++) {
    const c = inside[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      items.push(inside.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inside.slice(start));
  return items;
}

/** `listagg(x, d) within group (order by o)` -> `string_agg(cast(x as text), d order by o)`. */
function rewriteListagg(code: string): string {
  const call = /\blistagg\s*\(/gi;
  let out = code;
  for (let match = call.exec(out); match; match = call.exec(out)) {
    const open = match.index + match[0].length - 1;
    const close = closingParen(out, open);
    const args = topLevelItems(out.slice(open + 1, close - 1));
    const within = /^\s*within\s+group\s*\(\s*order\s+by\b/i.exec(out.slice(close));
    const distinct = /^\s*distinct\s+/i.exec(args[0] ?? '');
    const value = distinct ? (args[0] as string).slice(distinct[0].length) : (args[0] as string);
    const delimiter = args[1]?.trim() ?? "''";
    let order = '';
    let end = close;
    if (within) {
      const groupOpen = close + within[0].indexOf('(');
      end = closingParen(out, groupOpen);
      order = ` order by ${out.slice(groupOpen + 1, end - 1).trim().replace(/^order\s+by\s+/i, '')}`;
    }
    const replacement = `string_agg(${distinct ? 'distinct ' : ''}cast(${value.trim()} as text), ${delimiter}${order})`;
    out = out.slice(0, match.index) + replacement + out.slice(end);
    call.lastIndex = match.index + replacement.length;
  }
  return out;
}

const PHYSICAL_LAYOUT = [
  /\bdiststyle\s+(all|even|key|auto)\b/gi,
  /\bdistkey\s*\(\s*\w+\s*\)/gi,
  /\b(compound\s+|interleaved\s+)?sortkey\s*\([^)]*\)/gi,
  /\bsortkey\s+auto\b/gi,
  /\b(distkey|sortkey)\b/gi,
  /\bencode\s+\w+/gi,
  /\bbackup\s+(yes|no)\b/gi,
];

/** A column definition `name varchar(n) ...` with Redshift's byte semantics made explicit. */
function byteChecked(table: string, definition: string): string {
  const column = /^(\s*)("?)([A-Za-z_][\w$]*)\2\s+(varchar|character\s+varying|char|character|nvarchar|bpchar)\s*\(\s*(\d+)\s*\)/i.exec(definition);
  if (!column) return definition;
  const name = column[3] as string;
  const bytes = column[5] as string;
  const constraint = `${table}_${name}_bytes`.slice(0, 63);
  return `${definition.trimEnd()} constraint ${constraint} check (octet_length(${name}) <= ${bytes})`;
}

/** CREATE TABLE / ALTER TABLE ADD COLUMN: layout clauses dropped, varchar(n) limits checked in bytes. */
function rewriteDdl(code: string): string {
  let out = code;
  for (const pattern of PHYSICAL_LAYOUT) out = out.replace(pattern, '');
  const create = /^\s*create\s+(temp\s+|temporary\s+)?table\s+(if\s+not\s+exists\s+)?([\w."]+)\s*\(/i.exec(out);
  if (create) {
    const table = (create[3] as string).replaceAll('"', '').split('.').pop() as string;
    const open = create[0].length - 1;
    const close = closingParen(out, open);
    const items = topLevelItems(out.slice(open + 1, close - 1)).map((item) => byteChecked(table, item));
    return `${out.slice(0, open + 1)}${items.join(',')}${out.slice(close - 1)}`.replace(/\)\s+$/, ')');
  }
  const alter = /^\s*alter\s+table\s+([\w."]+)\s+add\s+(column\s+)?(if\s+not\s+exists\s+)?/i.exec(out);
  if (alter) {
    const table = (alter[1] as string).replaceAll('"', '').split('.').pop() as string;
    return out.slice(0, alter[0].length) + byteChecked(table, out.slice(alter[0].length));
  }
  return out;
}

/**
 * The table a `create [temp] table … as select` statement creates, or null.
 * Redshift analyzes a table created by CTAS (its "Analyzing tables" guide);
 * PostgreSQL does not, and without statistics it takes a fresh temp table for
 * one row and plans nested loops over it that re-run a subquery per row (a
 * scale-0.02 BuildMarts took minutes): the offline engines analyze it, as Redshift does.
 */
export function createdByCtas(sql: string): string | null {
  const { code } = maskLiterals(sql);
  const match = /^\s*(?:--[^\n]*\n\s*)*create\s+(?:temp\s+|temporary\s+)?table\s+([A-Za-z_][\w.]*)\s+as\b/i.exec(code);
  return match ? (match[1] as string) : null;
}

/** Redshift-rendered SQL as PostgreSQL runs it (see the table at the top of this file). */
export function translateRedshift(sql: string): string {
  const { code, restore } = maskLiterals(sql);
  let out = code
    .replace(/\bsysdate\b/gi, 'localtimestamp')
    .replace(/\bgetdate\s*\(\s*\)/gi, "date_trunc('second', statement_timestamp() at time zone 'UTC')")
    .replace(/\b(datediff|dateadd)\s*\(\s*([A-Za-z_]+)\s*,/gi, (_m, fn: string, part: string) => `public.${fn.toLowerCase()}('${part.toLowerCase()}',`)
    .replace(/\bnvl\s*\(/gi, 'coalesce(');
  out = rewriteListagg(out);
  if (/^\s*(create\s+(temp\s+|temporary\s+)?table|alter\s+table)\b/i.test(out)) out = rewriteDdl(out);
  return restore(out);
}
