import { DuckDBInstance, type DuckDBInstance as Instance } from '@duckdb/node-api';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, SqlTemplateError, WarehouseLockedError, WarehouseNotFoundError, WarehouseOpenError, WarehouseStatementError } from '../../functions/core/errors.js';
import type { EcomdwConfig } from '../../functions/core/config.js';
import { readSqlFile, sqlRoot } from '../../functions/core/sql/files.js';
import { renderSql } from '../../functions/core/sql/render.js';
import { isSqlTemplate, templatesNamedBy } from '../../functions/core/sql/templates.js';
import type { ConfigOf } from '../options.js';
import { compactTable } from '../output.js';

/** Output formats of `ecomdw sql`. */
export const SQL_FORMATS = ['table', 'json', 'csv'] as const;
export type SqlFormat = (typeof SQL_FORMATS)[number];

/** The dialects a model renders for: the warehouses', and Spark's for the normalizers the Glue job runs. */
export const RENDER_DIALECTS = ['duckdb', 'redshift', 'spark'] as const;

export interface SqlFlags {
  format?: SqlFormat;
  render?: string;
  dialect?: (typeof RENDER_DIALECTS)[number];
  json?: boolean;
}

/** `ecomdw sql "<query>"` runs a read-only query; `ecomdw sql --render <model>` prints a model's rendered SQL. */
export async function sqlCommand(query: string | undefined, flags: SqlFlags, config: EcomdwConfig): Promise<void> {
  if (flags.render !== undefined) {
    if (query !== undefined) throw new ConfigError('give either a query or --render <model>, not both');
    process.stdout.write(`${renderModel(flags.render, flags.dialect ?? 'duckdb').trimEnd()}\n`);
    return;
  }
  if (query === undefined || query.trim() === '') throw new ConfigError('give a query, e.g. ecomdw sql "select count(*) from dw.fact_order_items", or --render <model>');
  if (flags.json === true && flags.format !== undefined && flags.format !== 'table' && flags.format !== 'json') {
    throw new ConfigError(`--json and --format ${flags.format} disagree: give one`);
  }
  const format = flags.json === true ? 'json' : (flags.format ?? 'table');
  const result = await readOnlyQuery(config.db, query);
  process.stdout.write(formatRows(result, format));
}

/** A query's columns and rows, values as JSON-safe text/numbers. */
export interface QueryResult {
  readonly columns: string[];
  readonly rows: unknown[][];
}

/** Runs one query on the warehouse opened read-only (nothing it runs can change the warehouse). */
export async function readOnlyQuery(db: string, query: string): Promise<QueryResult> {
  if (!existsSync(db)) throw new WarehouseNotFoundError(`no warehouse at ${db}: run \`ecomdw run\` (or \`ecomdw demo\`) to build one, or give --db (env ECOMDW_DB)`);
  let instance: Instance;
  try {
    instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message)) throw new WarehouseLockedError(`the warehouse ${db} is in use by another process (DuckDB allows one process per file); wait for it to finish`, { cause: error });
    throw new WarehouseOpenError(`cannot open the warehouse ${db}: ${message}`, { cause: error });
  }
  const connection = await instance.connect();
  try {
    await connection.run(`set TimeZone = 'UTC'`);
    const reader = await connection.runAndReadAll(query);
    // Integers beyond 32 bits come back as text; a count that fits a JSON number is shown as one. Decimals stay exact text.
    const wide = reader.columnTypes().map((type) => WIDE_INTEGERS.has(type.toString()));
    const rows = (reader.getRowsJson() as unknown[][]).map((row) => row.map((value, i) => (wide[i] ? safeNumber(value) : value)));
    return { columns: reader.columnNames(), rows };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WarehouseStatementError(`query failed: ${message}`, query, { cause: error });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const WIDE_INTEGERS = new Set(['BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);

function safeNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/** The rows as a table, a JSON array of objects, or RFC 4180 CSV with a header. */
export function formatRows(result: QueryResult, format: SqlFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null]))),
        null,
        2,
      )}\n`;
    case 'csv':
      return [result.columns, ...result.rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
    case 'table': {
      const table = compactTable(result.columns);
      for (const row of result.rows) table.push(row.map((v) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v))));
      return `${table.toString()}\n${result.rows.length} row${result.rows.length === 1 ? '' : 's'}\n`;
    }
  }
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A model file under sql/ (e.g. `dimensions/dim_customers`), its macros expanded for the dialect. */
export function renderModel(model: string, dialect: string): string {
  if (!(RENDER_DIALECTS as readonly string[]).includes(dialect)) throw new ConfigError(`--dialect must be one of ${RENDER_DIALECTS.join(', ')}, got '${dialect}'`);
  const relative = model.replace(/\\/g, '/').replace(/^sql\//, '').replace(/\.sql$/, '') + '.sql';
  const root = sqlRoot();
  const file = path.resolve(root, relative);
  if (!file.startsWith(`${path.resolve(root)}${path.sep}`) || !existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigError(`no model sql/${relative}; ${modelsNear(relative)}`);
  }
  if (isSqlTemplate(relative)) {
    throw new ConfigError(`sql/${relative} is a template, filled in by the models that name it: render one of them (${modelsFilling(relative).join(', ')})`);
  }
  const text = readSqlFile(relative);
  try {
    return renderSql(text, dialect as (typeof RENDER_DIALECTS)[number], `sql/${relative}`);
  } catch (error) {
    if (!(error instanceof SqlTemplateError)) throw error;
    // A model runs on some engines only (the normalizers on DuckDB and Spark, the rest on the warehouses): say which.
    const fits = RENDER_DIALECTS.filter((other) => other !== dialect && rendersFor(text, other));
    const reason = error.message.replace(`sql/${relative}: `, '');
    throw new ConfigError(`sql/${relative} does not render for ${dialect} (${reason}); it renders for ${fits.join(', ') || 'no dialect'}`, { cause: error });
  }
}

function rendersFor(text: string, dialect: (typeof RENDER_DIALECTS)[number]): boolean {
  try {
    renderSql(text, dialect);
    return true;
  } catch {
    return false;
  }
}

// The models under sql/ that name the template.
function modelsFilling(template: string): string[] {
  const root = sqlRoot();
  const models: string[] = [];
  for (const folder of readdirSync(root).filter((f) => statSync(path.join(root, f)).isDirectory()).sort()) {
    for (const file of readdirSync(path.join(root, folder)).filter((f) => f.endsWith('.sql') && !isSqlTemplate(f)).sort()) {
      if (templatesNamedBy(readFileSync(path.join(root, folder, file), 'utf8')).includes(template)) models.push(`${folder}/${file.slice(0, -4)}`);
    }
  }
  return models;
}

// The folder's models, or the folders, so a typo is one look away from the right name.
function modelsNear(relative: string): string {
  const root = sqlRoot();
  const folder = path.resolve(root, path.dirname(relative));
  if (path.dirname(relative) !== '.' && existsSync(folder) && statSync(folder).isDirectory()) {
    const models = readdirSync(folder).filter((f) => f.endsWith('.sql')).map((f) => `${path.dirname(relative)}/${f.slice(0, -4)}`);
    return `models there: ${models.join(', ')}`;
  }
  const folders = readdirSync(root).filter((f) => statSync(path.join(root, f)).isDirectory());
  return `models are named <folder>/<file> under sql/, folders: ${folders.join(', ')}`;
}

/** Registers `ecomdw sql`. */
export function registerSql(program: Command, configOf: ConfigOf): void {
  program
    .command('sql')
    .description('run a read-only SQL query on the warehouse, or print the final SQL of a model under sql/')
    .argument('[query]', 'the query (DuckDB SQL), e.g. "select * from dw.dim_customers limit 5"')
    .option('--db <file>', 'warehouse DuckDB file (env ECOMDW_DB)')
    .addOption(new Option('--format <format>', 'output format').choices([...SQL_FORMATS]).default('table'))
    .option('--json', 'the rows as a JSON array (same as --format json)')
    .option('--render <model>', 'print the SQL of a model file under sql/, e.g. dimensions/dim_customers, its macros rendered')
    .addOption(new Option('--dialect <dialect>', 'the dialect --render renders for (spark: the normalizers as the Glue job runs them)').choices([...RENDER_DIALECTS]).default('duckdb'))
    .addHelpText(
      'after',
      '\nThe warehouse is opened read-only: a statement that would change it fails (exit 1, with DuckDB\'s message).\n' +
        'Schemas: dw (star schema), mart (reporting views), known (published figures), history, staging, audit.\n' +
        '\nExamples:\n' +
        '  ecomdw sql "select count(*) from dw.fact_order_items"\n' +
        '  ecomdw sql "select * from audit.test_results where status <> \'pass\'" --format csv > results.csv\n' +
        '  ecomdw sql "select table_schema, table_name from information_schema.tables order by all" --db data/warehouse.duckdb\n' +
        '  ecomdw sql --render dimensions/dim_customers --dialect redshift\n',
    )
    .action(async (query: string | undefined, flags: SqlFlags) => {
      await sqlCommand(query, flags, configOf());
    });
}
