import { SqlTemplateError } from '../errors.js';
import { DIALECT_MACROS, type SqlDialect } from './dialects.js';

const MACRO = /\{\{\s*([a-z_]+)\s*(?:\(([^{}]*)\))?\s*\}\}/g;

/** Expands the `{{ macro(args) }}` calls of a SQL text for one dialect. */
export function renderSql(text: string, dialect: SqlDialect, source = 'sql'): string {
  return text.replace(MACRO, (_match, name: string, args: string | undefined) => {
    const macro = DIALECT_MACROS[dialect][name];
    if (!macro) throw new SqlTemplateError(`${source}: macro '${name}' is not defined for ${dialect}`);
    const list = args === undefined || args.trim() === '' ? [] : args.split(',').map((a) => a.trim());
    return macro(...list);
  });
}
