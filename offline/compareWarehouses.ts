import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { quotedIdentifier, quotedLiteral } from '../functions/core/sql/quote.js';
import type { PostgresConnection } from './postgres/embeddedPostgres.js';

/** How one table of the two warehouses compares (rows as multisets). */
export interface TableComparison {
  /** `schema.table`. */
  readonly table: string;
  readonly duckdbRows: number;
  readonly postgresRows: number;
  /** Rows DuckDB has and PostgreSQL lacks (EXCEPT ALL), and the other way round. */
  readonly onlyInDuckdb: number;
  readonly onlyInPostgres: number;
  /** Up to 3 rows of each difference, as JSON, to make a failure readable. */
  readonly examples: readonly string[];
}

export interface CompareOptions {
  /** Schemas whose every table is compared (default: dw). */
  readonly schemas?: readonly string[];
  /** Columns left out of the comparison, e.g. the batch that last wrote a row (default: batch_id). */
  readonly ignoreColumns?: readonly string[];
  /** Parts of a column's text compared as one placeholder on both sides (a run's clock inside a message). */
  readonly masks?: readonly TextMask[];
}

/** Text of `column` (in any table) matching `pattern` (a DuckDB regular expression) compares as `replacement`. */
export interface TextMask {
  readonly column: string;
  readonly pattern: string;
  readonly replacement: string;
}

/**
 * Compares every table of the given schemas between a DuckDB warehouse file
 * and a PostgreSQL database, inside DuckDB: PostgreSQL writes each table as
 * CSV with server-side COPY (values as text), DuckDB reads it with the DuckDB
 * table's own column types and runs EXCEPT ALL both ways. No row passes
 * through JavaScript; surrogate keys are compared like any column.
 */
export async function compareWarehouses(postgres: PostgresConnection, duckdbFile: string, options: CompareOptions = {}): Promise<TableComparison[]> {
  const schemas = options.schemas ?? ['dw'];
  const ignore = new Set(options.ignoreColumns ?? ['batch_id']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-compare-'));
  // The server (another OS user when we are root) writes the CSV files here.
  chmodSync(dir, 0o777);
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  const client = new pg.Client(postgres);
  await client.connect();
  try {
    await duck.run(`attach ${quotedLiteral(duckdbFile)} as w (read_only)`);
    const columns = (
      await duck.runAndReadAll(
        `select schema_name as table_schema, table_name, column_name, data_type from duckdb_columns()
         where database_name = 'w' and schema_name in (${schemas.map(quotedLiteral).join(', ')}) order by schema_name, table_name, column_index`,
      )
    ).getRowObjectsJson() as Record<string, string>[];
    const tables = new Map<string, { name: string; type: string }[]>();
    for (const c of columns) {
      if (ignore.has(c.column_name as string)) continue;
      const key = `${c.table_schema}.${c.table_name}`;
      tables.set(key, [...(tables.get(key) ?? []), { name: c.column_name as string, type: c.data_type as string }]);
    }
    const results: TableComparison[] = [];
    for (const [table, cols] of tables) {
      const csv = path.join(dir, `${table}.csv`);
      const list = cols.map((c) => quotedIdentifier(c.name));
      const compared = cols.map((c) => {
        const masks = (options.masks ?? []).filter((m) => m.column === c.name);
        return masks.reduce((sql, m) => `regexp_replace(${sql}, ${quotedLiteral(m.pattern)}, ${quotedLiteral(m.replacement)}, 'g')`, quotedIdentifier(c.name)) + ` as ${quotedIdentifier(c.name)}`;
      });
      await client.query(`copy (select ${list.map((c) => `${c}::text`).join(', ')} from ${table}) to ${quotedLiteral(csv)} with (format csv)`);
      const types = `{${cols.map((c) => `${quotedLiteral(c.name)}: ${quotedLiteral(c.type)}`).join(', ')}}`;
      const fromPostgres = `select ${compared.join(', ')} from read_csv(${quotedLiteral(csv)}, header = false, auto_detect = false, delim = ',', columns = ${types}, quote = '"', escape = '"', allow_quoted_nulls = false)`;
      const fromDuckdb = `select ${compared.join(', ')} from w.${table}`;
      const count = async (sql: string): Promise<number> => Number((await duck.runAndReadAll(`select count(*) as n from (${sql})`)).getRowObjectsJson()[0]?.n ?? 0);
      const sample = async (sql: string): Promise<string[]> =>
        ((await duck.runAndReadAll(`select * from (${sql}) limit 3`)).getRowObjectsJson() as unknown[]).map((row) => JSON.stringify(row));
      const duckOnly = `${fromDuckdb} except all ${fromPostgres}`;
      const postgresOnly = `${fromPostgres} except all ${fromDuckdb}`;
      results.push({
        table,
        duckdbRows: await count(fromDuckdb),
        postgresRows: await count(fromPostgres),
        onlyInDuckdb: await count(duckOnly),
        onlyInPostgres: await count(postgresOnly),
        examples: [...(await sample(duckOnly)).map((r) => `duckdb only: ${r}`), ...(await sample(postgresOnly)).map((r) => `postgres only: ${r}`)],
      });
    }
    return results;
  } finally {
    await client.end();
    duck.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How one table of two DuckDB warehouses compares (rows as multisets); -1 rows: the table is missing on that side. */
export interface WarehouseDifference {
  /** `schema.table`. */
  readonly table: string;
  readonly beforeRows: number;
  readonly afterRows: number;
  /** Rows the first warehouse has and the second lacks (EXCEPT ALL), and the other way round. */
  readonly onlyBefore: number;
  readonly onlyAfter: number;
  /** Up to 3 rows of each difference, as JSON. */
  readonly examples: readonly string[];
}

/** Options of compareDuckdbWarehouses. */
export interface CompareDuckdbOptions {
  /** Schemas whose every table is compared (default: dw and history). */
  readonly schemas?: readonly string[];
  /** Columns left out of the comparison: those a run stamps with its own id or clock (default: run_id and the run's clock: recorded_at, tested_at, loaded_at, started_at, finished_at, built_at). */
  readonly ignoreColumns?: readonly string[];
}

/**
 * Compares every table of the given schemas between two DuckDB warehouse
 * files, e.g. one built before a change and one after it from the same lake:
 * EXCEPT ALL both ways, inside DuckDB (rows as multisets, surrogate keys and
 * batch ids compared like any column).
 */
export async function compareDuckdbWarehouses(beforeFile: string, afterFile: string, options: CompareDuckdbOptions = {}): Promise<WarehouseDifference[]> {
  const schemas = options.schemas ?? ['dw', 'history'];
  const ignore = new Set(options.ignoreColumns ?? ['run_id', 'recorded_at', 'tested_at', 'loaded_at', 'started_at', 'finished_at', 'built_at']);
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  try {
    await duck.run(`attach ${quotedLiteral(beforeFile)} as before_w (read_only)`);
    await duck.run(`attach ${quotedLiteral(afterFile)} as after_w (read_only)`);
    const columnsOf = async (database: string): Promise<Map<string, string[]>> => {
      const rows = (
        await duck.runAndReadAll(
          `select schema_name, table_name, column_name from duckdb_columns()
           where database_name = ${quotedLiteral(database)} and schema_name in (${schemas.map(quotedLiteral).join(', ')}) order by schema_name, table_name, column_index`,
        )
      ).getRowObjectsJson() as Record<string, string>[];
      const tables = new Map<string, string[]>();
      for (const r of rows) {
        const key = `${r.schema_name}.${r.table_name}`;
        tables.set(key, [...(tables.get(key) ?? []), ...(ignore.has(r.column_name as string) ? [] : [r.column_name as string])]);
      }
      return tables;
    };
    const before = await columnsOf('before_w');
    const after = await columnsOf('after_w');
    const count = async (sql: string): Promise<number> => Number((await duck.runAndReadAll(`select count(*) as n from (${sql})`)).getRowObjectsJson()[0]?.n ?? 0);
    const sample = async (sql: string): Promise<string[]> =>
      ((await duck.runAndReadAll(`select * from (${sql}) limit 3`)).getRowObjectsJson() as unknown[]).map((row) => JSON.stringify(row));
    const results: WarehouseDifference[] = [];
    for (const table of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const cols = before.get(table);
      if (cols === undefined || !after.has(table)) {
        const present = `select * from ${cols === undefined ? 'after_w' : 'before_w'}.${table}`;
        const rows = await count(present);
        results.push({ table, beforeRows: cols === undefined ? -1 : rows, afterRows: cols === undefined ? rows : -1, onlyBefore: 0, onlyAfter: 0, examples: ['table on one side only'] });
        continue;
      }
      const list = cols.map(quotedIdentifier).join(', ');
      const [schema, name] = table.split('.') as [string, string];
      const from = (db: string) => `select ${list} from ${db}.${quotedIdentifier(schema)}.${quotedIdentifier(name)}`;
      const beforeOnly = `${from('before_w')} except all ${from('after_w')}`;
      const afterOnly = `${from('after_w')} except all ${from('before_w')}`;
      results.push({
        table,
        beforeRows: await count(from('before_w')),
        afterRows: await count(from('after_w')),
        onlyBefore: await count(beforeOnly),
        onlyAfter: await count(afterOnly),
        examples: [...(await sample(beforeOnly)).map((r) => `before only: ${r}`), ...(await sample(afterOnly)).map((r) => `after only: ${r}`)],
      });
    }
    return results;
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
}
