/**
 * Named parameters (`:name`) in warehouse SQL, found the way the engine sees
 * them: text inside string literals, quoted identifiers, dollar-quoted bodies
 * and comments is not a parameter, and neither is a `::type` cast.
 */

/** One `:name` placeholder and where it sits in the statement text. */
export interface Placeholder {
  readonly name: string;
  /** Index of the colon. */
  readonly start: number;
  /** Index just past the name. */
  readonly end: number;
}

const WORD = /[A-Za-z0-9_]/;
const NAME_START = /[A-Za-z_]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** The `:name` placeholders of a statement, in order of appearance. */
export function placeholdersOf(sql: string): Placeholder[] {
  const found: Placeholder[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    const skipped = endOfLiteralOrComment(sql, i);
    if (skipped > i) i = skipped;
    else if (c === ':' && next === ':') {
      i += 2;
      // `x::type`: the type name is not a parameter either.
      while (i < sql.length && WORD.test(sql[i] as string)) i += 1;
    } else if (c === ':' && next !== undefined && NAME_START.test(next) && !isWordAt(sql, i - 1)) {
      let end = i + 1;
      while (end < sql.length && WORD.test(sql[end] as string)) end += 1;
      found.push({ name: sql.slice(i + 1, end), start: i, end });
      i = end;
    } else i += 1;
  }
  return found;
}

/** The statement with some placeholders renamed (`renames`: old name -> new name); everything else byte for byte. */
export function renamePlaceholders(sql: string, renames: ReadonlyMap<string, string>): string {
  let out = '';
  let last = 0;
  for (const placeholder of placeholdersOf(sql)) {
    const renamed = renames.get(placeholder.name);
    if (renamed === undefined) continue;
    out += `${sql.slice(last, placeholder.start)}:${renamed}`;
    last = placeholder.end;
  }
  return out + sql.slice(last);
}

/**
 * Where the string literal, quoted identifier, dollar-quoted body or comment
 * that starts at `start` ends (a line comment: at its newline); `start` itself
 * when none starts there. Redshift reads backslash escapes inside '...' (as
 * PostgreSQL without standard_conforming_strings); doubled quotes escape in both kinds.
 */
export function endOfLiteralOrComment(sql: string, start: number): number {
  const c = sql[start];
  const next = sql[start + 1];
  if (c === "'") return endOfQuoted(sql, start, "'", true);
  if (c === '"') return endOfQuoted(sql, start, '"', false);
  if (c === '-' && next === '-') return endOfLine(sql, start);
  if (c === '/' && next === '*') return endOfBlockComment(sql, start);
  if (c === '$' && !isWordAt(sql, start - 1) && DOLLAR_TAG.test(sql.slice(start))) return endOfDollarQuoted(sql, start);
  return start;
}

function isWordAt(sql: string, index: number): boolean {
  return index >= 0 && /[A-Za-z0-9_$]/.test(sql[index] as string);
}

function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i += 1;
  }
  return sql.length;
}

function endOfLine(sql: string, start: number): number {
  const newline = sql.indexOf('\n', start);
  return newline === -1 ? sql.length : newline;
}

function endOfBlockComment(sql: string, start: number): number {
  const close = sql.indexOf('*/', start + 2);
  return close === -1 ? sql.length : close + 2;
}

function endOfDollarQuoted(sql: string, start: number): number {
  const tag = (DOLLAR_TAG.exec(sql.slice(start)) as RegExpExecArray)[0];
  const close = sql.indexOf(tag, start + tag.length);
  return close === -1 ? sql.length : close + tag.length;
}
