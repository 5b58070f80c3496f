import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SQL_ROOT } from '../functions/core/config.js';
import { SqlTemplateError } from '../functions/core/errors.js';
import { portableSqlStatement, readSqlFile, sqlStatement, sqlTemplateStatements, useSqlRoot } from '../functions/core/sql/files.js';
import { tempDir } from './helpers/tempLake.js';

let root: string;
let cleanup: () => void;

/** Writes a file under the test's SQL root. */
function sqlFile(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  root = path.join(dir, 'sql');
  useSqlRoot(root);
});
afterEach(() => {
  useSqlRoot(DEFAULT_SQL_ROOT);
  cleanup();
});

describe('Step statements read from sql/', () => {
  it('gives the one statement of a file, rendered for the dialect, with only the parameters it uses', () => {
    // Arrange
    sqlFile('steps/x/mark.sql', '-- why\ninsert into audit.t (id, at) values (:id, {{ now }});\n');
    // Act
    const duckdb = sqlStatement('steps/x/mark.sql', 'duckdb', { id: 'b1', unused: 1 });
    const redshift = sqlStatement('steps/x/mark.sql', 'redshift', { id: 'b1' });
    // Assess
    expect(duckdb).toEqual({ sql: 'insert into audit.t (id, at) values (:id, cast(current_timestamp as timestamp))', params: { id: 'b1' }, label: 'steps/x/mark.sql#1' });
    expect(redshift.sql).toBe('insert into audit.t (id, at) values (:id, sysdate)');
  });

  it('refuses a file that holds other than one statement where one is expected', () => {
    // Arrange
    sqlFile('steps/x/two.sql', 'delete from a;\n\ndelete from b;\n');
    // Act / Assess
    expect(() => sqlStatement('steps/x/two.sql', 'duckdb')).toThrow(SqlTemplateError);
    expect(() => sqlStatement('steps/x/two.sql', 'duckdb')).toThrow('sql/steps/x/two.sql holds 2 statements, expected one');
  });

  it('fills a template in per source table, and labels each statement with the table', () => {
    // Arrange
    sqlFile('steps/x/_per_table.sql', 'delete from staging.{{ $table }};\n\ninsert into audit.n select count(*), {{ now }} from staging.{{ $table }} where b = :b;\n');
    // Act
    const statements = sqlTemplateStatements('steps/x/_per_table.sql', 'orders', 'redshift', { b: 'b1' });
    // Assess
    expect(statements).toEqual([
      { sql: 'delete from staging.orders', params: undefined, label: 'steps/x/_per_table.sql[orders]#1' },
      { sql: 'insert into audit.n select count(*), sysdate from staging.orders where b = :b', params: { b: 'b1' }, label: 'steps/x/_per_table.sql[orders]#2' },
    ]);
    expect(() => sqlTemplateStatements('steps/x/_per_table.sql', 'invoices', 'duckdb')).toThrow(/'invoices' is not a source table/);
    expect(() => sqlTemplateStatements('steps/x/mark.sql', 'orders', 'duckdb')).toThrow(/is not a template/);
  });

  it('reads a portable statement without a dialect, and refuses one that calls a macro', () => {
    // Arrange
    sqlFile('steps/x/plain.sql', '-- why\ndelete from audit.l where holder = :holder;\n');
    sqlFile('steps/x/macro.sql', 'delete from audit.l where at < {{ now }};\n');
    // Act / Assess
    expect(portableSqlStatement('steps/x/plain.sql', { holder: 'h' })).toEqual({ sql: 'delete from audit.l where holder = :holder', params: { holder: 'h' }, label: 'steps/x/plain.sql#1' });
    expect(() => portableSqlStatement('steps/x/macro.sql')).toThrow('sql/steps/x/macro.sql calls a dialect macro');
  });

  it('reads from the folder the edge set, forgetting what it read from another', () => {
    // Arrange
    sqlFile('steps/x/q.sql', 'select 1;\n');
    const first = readSqlFile('steps/x/q.sql');
    const other = path.join(path.dirname(root), 'other');
    mkdirSync(path.join(other, 'steps/x'), { recursive: true });
    writeFileSync(path.join(other, 'steps/x/q.sql'), 'select 2;\n');
    // Act
    useSqlRoot(other);
    // Assess
    expect([first, readSqlFile('steps/x/q.sql')]).toEqual(['select 1;\n', 'select 2;\n']);
  });
});
