import { SqlTemplateError } from '../errors.js';
import { DIALECT_MACROS, type SqlDialect } from './dialects.js';

const MACRO = /\{\{\s*([a-z_]+)\s*(?:\(([^{}]*)\))?\s*\}\}/g;

/** Expands the `{{ macro(args) }}` calls of a SQL text for one dialect; nested calls expand inside out. */
export function renderSql(text: string, dialect: SqlDialect, source = 'sql'): string {
  let rendered = text;
  for (let pass = 0; pass < 5; pass++) {
    const next = expandOnce(rendered, dialect, source);
    if (next === rendered) return rendered;
    rendered = next;
  }
  return rendered;
}

function expandOnce(text: string, dialect: SqlDialect, source: string): string {
  return text.replace(MACRO, (_match, name: string, args: string | undefined) => {
    const macro = DIALECT_MACROS[dialect][name];
    if (!macro) throw new SqlTemplateError(`${source}: macro '${name}' is not defined for ${dialect}`);
    const list = args === undefined || args.trim() === '' ? [] : args.split(',').map((a) => a.trim());
    return macro(...list);
  });
}

/** The dialect's expression for the current UTC time, for SQL written inline in steps. */
export function sqlNow(dialect: SqlDialect): string {
  return renderSql('{{ now }}', dialect);
}
