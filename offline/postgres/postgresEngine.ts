import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { WarehouseStatementError, WarehouseTimeoutError } from '../../functions/core/errors.js';
import { placeholdersOf } from '../../functions/core/engine/parameters.js';
import { bindBatch, checkBatch, checkSize, redshiftCopyStatement, toSqlParameters } from '../../functions/core/engine/redshiftEngine.js';
import type { Row, Statement, WarehouseEngine } from '../../functions/core/engine/types.js';
import type { PostgresConnection } from './embeddedPostgres.js';
import { emulateParquetCopy, parseParquetCopy, type ParquetObjectStore } from './parquetCopy.js';
import { createdByCtas, SESSION_SETUP, SHIM_FUNCTIONS, translateRedshift } from './redshiftShims.js';

export interface PostgresEngineOptions {
  readonly connection: PostgresConnection;
  /** The bucket and COPY role the Redshift COPY text names (as the stack's LAKE_BUCKET and REDSHIFT_COPY_ROLE_ARN). */
  readonly lakeBucket: string;
  readonly copyRoleArn: string;
  /** Where COPY finds the objects under an S3 prefix: a local lake folder or a real S3 API. */
  readonly objects: ParquetObjectStore;
}

// Timestamps and dates come back as text, as the Data API returns them (pg would make Date objects);
// BIGINT and NUMERIC are text already (RedshiftEngine returns int8 as text too).
const AS_TEXT = new Set([pg.types.builtins.TIMESTAMP, pg.types.builtins.TIMESTAMPTZ, pg.types.builtins.DATE]);
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    AS_TEXT.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** PostgreSQL's error code for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';
const CHECK_VIOLATION = '23514';

/**
 * The warehouse engine on PostgreSQL, running the SQL the pipeline renders for
 * Redshift (dialect `redshift`): the offline stand-in for Redshift Serverless.
 * It keeps the Data API's rules (40 statements per transaction, 100 KB per
 * statement, parameters bound as non-empty strings, never NULL) by using
 * RedshiftEngine's own checks and binding, writes COPY exactly as RedshiftEngine
 * does and emulates it (parquetCopy.ts), and rewrites the few Redshift-only
 * constructs in one place (redshiftShims.ts). Varchar lengths are checked in
 * bytes, as Redshift counts them.
 */
export class PostgresEngine implements WarehouseEngine {
  public readonly dialect = 'redshift' as const;
  /** What this engine ran: transactions (Data API batches), statements in them, COPYs emulated (files), queries. */
  public readonly stats = { transactions: 0, statements: 0, copiedFiles: 0, queries: 0 };
  private queue: Promise<unknown> = Promise.resolve();
  private deadline: number | null = null;
  private duck: { instance: DuckDBInstance; connection: DuckDBConnection } | null = null;
  private closed = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly options: PostgresEngineOptions,
    private readonly scratch: string,
  ) {}

  /** Connects, prepares the session and makes sure the shim functions exist. */
  public static async open(options: PostgresEngineOptions): Promise<PostgresEngine> {
    const client = new pg.Client({ ...options.connection, types: TYPES });
    await client.connect();
    // The server runs as another OS user: the CSV files COPY reads must be readable by it.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-pgcopy-'));
    chmodSync(scratch, 0o755);
    for (const sql of SESSION_SETUP) await client.query(sql);
    await client.query('begin');
    // Two engines opening at once would race on `create or replace function`.
    await client.query('select pg_advisory_xact_lock(7342001)');
    for (const sql of SHIM_FUNCTIONS) await client.query(sql);
    await client.query('commit');
    return new PostgresEngine(client, options, scratch);
  }

  public async transaction(statements: readonly Statement[]): Promise<void> {
    if (statements.length === 0) return;
    checkBatch(statements);
    // The Data API's binding: one parameter list for the batch, clashing names renamed.
    const { sqls, parameters } = bindBatch(statements);
    const values = new Map(parameters.map((p) => [p.name as string, p.value as string]));
    return this.serial(async () => {
      let current = 0;
      await this.client.query('begin');
      try {
        for (const [i, sql] of sqls.entries()) {
          current = i;
          await this.execute(statements[i] as Statement, sql, values);
        }
        await this.client.query('commit');
        this.stats.transactions += 1;
        this.stats.statements += sqls.length;
      } catch (error) {
        await this.client.query('rollback');
        const position = statements.length > 1 ? `statement ${current + 1} of ${statements.length}` : '';
        throw await this.explain(error, [statements[current] as Statement], position);
      } finally {
        // A Data API batch runs in a session of its own: its temp tables end with it.
        await this.client.query('discard temp');
      }
    });
  }

  public loadParquet(table: string, columns: readonly string[], lakePrefix: string): Statement {
    return redshiftCopyStatement(this.options, table, columns, lakePrefix);
  }

  public async query(statement: Statement): Promise<Row[]> {
    checkSize(statement);
    const values = new Map(toSqlParameters(statement).map((p) => [p.name as string, p.value as string]));
    return this.serial(async () => {
      try {
        await this.client.query('begin');
        await this.applyDeadline(statement);
        const { text, args } = positional(translateRedshift(statement.sql), values);
        const result = await this.client.query({ text, values: args });
        await this.client.query('commit');
        this.stats.queries += 1;
        return result.rows as Row[];
      } catch (error) {
        await this.client.query('rollback');
        throw await this.explain(error, [statement]);
      }
    });
  }

  /**
   * Bounds the total time of the calls that follow (epoch ms, null: none), as
   * the Lambda handler does with the time its invocation has left: a statement
   * still running then is cancelled by PostgreSQL (statement_timeout) and the
   * transaction rolled back.
   */
  public setDeadline(deadline: number | null): void {
    this.deadline = deadline;
  }

  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.client.end();
    this.duck?.connection.closeSync();
    this.duck?.instance.closeSync();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WarehouseStatementError('the warehouse is closed', ''));
    const turn = this.queue.then(work);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async execute(statement: Statement, sql: string, values: ReadonlyMap<string, string>): Promise<void> {
    await this.applyDeadline(statement);
    const copy = parseParquetCopy(sql);
    if (copy) return this.copyParquet(statement, copy);
    const { text, args } = positional(translateRedshift(sql), values);
    await this.client.query({ text, values: args });
    const created = createdByCtas(sql);
    if (created) await this.client.query(`analyze ${created}`);
  }

  private async applyDeadline(statement: Statement): Promise<void> {
    if (this.deadline === null) return;
    const left = Math.floor(this.deadline - Date.now());
    if (left <= 0) throw new WarehouseTimeoutError(`the step's time is up before${statement.label ? ` ${statement.label}` : ' a statement'} could start; nothing more was submitted`);
    await this.client.query(`set local statement_timeout = ${left}`);
  }

  private async copyParquet(statement: Statement, copy: NonNullable<ReturnType<typeof parseParquetCopy>>): Promise<void> {
    this.stats.copiedFiles += await emulateParquetCopy(this.client, statement.sql, copy, { ...this.options, scratch: this.scratch, duck: () => this.duckdb() });
  }

  private async duckdb(): Promise<DuckDBConnection> {
    if (!this.duck) {
      const instance = await DuckDBInstance.create(':memory:');
      this.duck = { instance, connection: await instance.connect() };
    }
    return this.duck.connection;
  }

  /** The error as the pipeline reports warehouse failures, naming the statement and, for a byte limit, the column. */
  private async explain(error: unknown, statements: readonly Statement[], position = ''): Promise<Error> {
    if (error instanceof WarehouseStatementError || error instanceof WarehouseTimeoutError) return error;
    const failed = error as pg.DatabaseError;
    const message = error instanceof Error ? error.message : String(error);
    const where = [...statements.map((s) => s.label), position].filter(Boolean).join(', ');
    if (failed.code === QUERY_CANCELED) {
      return new WarehouseTimeoutError(`warehouse statement cancelled at the step's deadline${where ? ` (${where})` : ''}: ${message}`, { cause: error });
    }
    let detail = '';
    if (failed.code === CHECK_VIOLATION && failed.constraint?.endsWith('_bytes')) {
      const definition = await this.client.query({ text: 'select pg_get_constraintdef(oid) as def from pg_constraint where conname = $1', values: [failed.constraint] });
      detail = ` (a varchar limit counted in bytes as Redshift does: ${failed.schema}.${failed.table} ${String(definition.rows[0]?.def ?? failed.constraint)})`;
    }
    const sql = statements.map((s) => s.sql).join(';\n');
    return new WarehouseStatementError(`warehouse statement failed${where ? ` (${where})` : ''}: ${message}${detail}`, sql, { cause: error });
  }
}

/** `:name` placeholders as PostgreSQL's `$n`, with the values in order (every value a string, as the Data API sends them). */
export function positional(sql: string, values: ReadonlyMap<string, string>): { text: string; args: string[] } {
  const order: string[] = [];
  let text = '';
  let last = 0;
  for (const placeholder of placeholdersOf(sql)) {
    let index = order.indexOf(placeholder.name);
    if (index === -1) index = order.push(placeholder.name) - 1;
    text += `${sql.slice(last, placeholder.start)}$${index + 1}`;
    last = placeholder.end;
  }
  text += sql.slice(last);
  return {
    text,
    args: order.map((name) => {
      const value = values.get(name);
      if (value === undefined) throw new WarehouseStatementError(`statement uses :${name} but gives it no value`, sql);
      return value;
    }),
  };
}
