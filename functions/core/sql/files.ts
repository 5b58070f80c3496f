import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SQL_ROOT } from '../config.js';
import { SqlTemplateError } from '../errors.js';
import type { Statement } from '../engine/types.js';
import type { SqlDialect } from './dialects.js';
import { renderSql } from './render.js';
import { expandTemplates, fillTemplate, isSqlTemplate } from './templates.js';

/** The repository's sql/ folder: where SQL is read from unless the edge says otherwise (useSqlRoot). */
export const SQL_ROOT = DEFAULT_SQL_ROOT;

let root = SQL_ROOT;
const cache = new Map<string, string>();

/**
 * Reads SQL files from `dir` from now on: set by the edge (the CLI, a Lambda's
 * cold start) from the resolved configuration (ECOMDW_SQL_ROOT), never read
 * from the environment here.
 */
export function useSqlRoot(dir: string): void {
  if (dir === root) return;
  root = dir;
  cache.clear();
}

/** The folder SQL files are read from now. */
export function sqlRoot(): string {
  return root;
}

/**
 * The SQL of a file under sql/ (path relative to it, e.g. 'normalize/customers.sql'),
 * its `{{ template(…) }}` calls filled in (templates.ts): what the model runs,
 * before the dialect macros.
 */
export function readSqlFile(relativePath: string): string {
  const cached = cache.get(relativePath);
  if (cached !== undefined) return cached;
  const text = readModelFrom(root, relativePath);
  cache.set(relativePath, text);
  return text;
}

/** readSqlFile from another sql/ folder than the current one (infra uploads from the repository's), uncached. */
export function readModelFrom(sqlFolder: string, relativePath: string): string {
  const read = (file: string) => readSqlTextFrom(sqlFolder, file);
  return expandTemplates(read(relativePath), read, `sql/${relativePath}`);
}

/** A file under sql/ as written. */
function readSqlText(relativePath: string): string {
  return readSqlTextFrom(root, relativePath);
}

function readSqlTextFrom(sqlFolder: string, relativePath: string): string {
  try {
    return readFileSync(path.join(sqlFolder, relativePath), 'utf8');
  } catch (error) {
    throw new SqlTemplateError(`cannot read sql/${relativePath}`, { cause: error });
  }
}

/** Splits a SQL script into statements on semicolons that end a line. */
export function splitStatements(script: string): string[] {
  return script
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^(\s*--[^\n]*\n)+/g, '').trim())
    .filter((s) => s.length > 0 && !/^(--[^\n]*\s*)*$/.test(s));
}

/** Reads, renders and splits a SQL file into labelled statements. */
export function sqlStatements(
  relativePath: string,
  dialect: SqlDialect,
  params?: Statement['params'],
): Statement[] {
  const rendered = renderSql(readSqlFile(relativePath), dialect, `sql/${relativePath}`);
  return splitStatements(rendered).map((sql, i) => ({ sql, params: pickParams(sql, params), label: `${relativePath}#${i + 1}` }));
}

/** The one statement of a SQL file (a query, say), rendered; a file holding more or fewer is a SqlTemplateError. */
export function sqlStatement(relativePath: string, dialect: SqlDialect, params?: Statement['params']): Statement {
  const statements = sqlStatements(relativePath, dialect, params);
  if (statements.length !== 1) throw new SqlTemplateError(`sql/${relativePath} holds ${statements.length} statements, expected one`);
  return statements[0] as Statement;
}

/**
 * The one statement of a SQL file that reads the same in every dialect (it
 * calls no macro), for callers that do not know the engine; a macro in it is a
 * SqlTemplateError.
 */
export function portableSqlStatement(relativePath: string, params?: Statement['params']): Statement {
  const text = readSqlFile(relativePath);
  if (/\{\{/.test(text)) throw new SqlTemplateError(`sql/${relativePath} calls a dialect macro: give the engine's dialect (sqlStatement)`);
  const statements = splitStatements(text);
  if (statements.length !== 1) throw new SqlTemplateError(`sql/${relativePath} holds ${statements.length} statements, expected one`);
  const sql = statements[0] as string;
  return { sql, params: pickParams(sql, params), label: `${relativePath}#1` };
}

/**
 * A template under sql/ (its name starts with `_`, templates.ts) filled in for
 * one source table, rendered and split: the statements a step runs per table.
 */
export function sqlTemplateStatements(relativePath: string, table: string, dialect: SqlDialect, params?: Statement['params']): Statement[] {
  if (!isSqlTemplate(relativePath)) throw new SqlTemplateError(`sql/${relativePath} is not a template (its name must start with '_')`);
  const key = `${relativePath}\u0000${table}`;
  let filled = cache.get(key);
  if (filled === undefined) {
    filled = fillTemplate(readSqlText(relativePath), table, `sql/${relativePath}`);
    cache.set(key, filled);
  }
  const rendered = renderSql(filled, dialect, `sql/${relativePath}`);
  return splitStatements(rendered).map((sql, i) => ({ sql, params: pickParams(sql, params), label: `${relativePath}[${table}]#${i + 1}` }));
}

// The Data API rejects parameters that a statement does not use.
function pickParams(sql: string, params: Statement['params']): Statement['params'] {
  if (!params) return undefined;
  const used = Object.entries(params).filter(([name]) => new RegExp(`(?<![:\\w]):${name}\\b`).test(sql));
  return used.length > 0 ? Object.fromEntries(used) : undefined;
}
