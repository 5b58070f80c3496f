import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import type { PostgresConnection } from '../postgres/embeddedPostgres.js';
import { emulateParquetCopy, parseParquetCopy, type ParquetObjectStore } from '../postgres/parquetCopy.js';
import { positional } from '../postgres/postgresEngine.js';
import { createdByCtas, SESSION_SETUP, SHIM_FUNCTIONS, translateRedshift } from '../postgres/redshiftShims.js';

/** A column of a result set, named as the Data API's ColumnMetadata names it. */
export interface ResultColumn {
  readonly name: string;
  /** Redshift's type name (`int8`, `numeric`, `varchar`, `timestamp`, ...). */
  readonly typeName: string;
}

/** A result set, every value as the text PostgreSQL sent (the server picks the Data API field kind by type). */
export interface ResultSet {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** What one SQL statement of a transaction did. */
export interface StatementOutcome {
  /** Rows returned or affected; -1 when PostgreSQL reports none (DDL). */
  readonly rowCount: number;
  readonly result: ResultSet | null;
  readonly ms: number;
}

/** A transaction that failed: which statement, and Redshift's kind of message. */
export class SessionStatementError extends Error {
  public constructor(
    message: string,
    /** 0-based position of the failing statement in its transaction. */
    public readonly index: number,
    /** Statements that finished before it (rolled back with the rest). */
    public readonly finished: readonly StatementOutcome[],
    /** True when the statement was cancelled (CancelStatement), not failed. */
    public readonly cancelled: boolean,
  ) {
    super(message);
    this.name = 'SessionStatementError';
  }
}

export interface RedshiftSessionsOptions {
  /** The database standing in for the workgroup's database. */
  readonly connection: PostgresConnection;
  /** What COPY may name and read (the namespace's COPY role, the lake's objects). */
  readonly copyRoleArn: string;
  readonly objects: ParquetObjectStore;
  /** Sessions open at once (more statements wait for one); default 8. */
  readonly maxSessions?: number;
}

// Every value as text: the Data API server chooses longValue, doubleValue, ... by column type, and keeps int8 digits exact.
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as typeof pg.types;

const TYPE_NAMES = new Map<number, string>(Object.entries(pg.types.builtins).map(([name, oid]) => [oid as number, name.toLowerCase()]));

/** PostgreSQL error codes the sessions treat specially. */
const QUERY_CANCELED = '57014';
const CHECK_VIOLATION = '23514';

interface Session {
  readonly client: pg.Client;
  readonly pid: number;
}

/**
 * Redshift sessions on PostgreSQL: a small pool of connections prepared as
 * offline/postgres prepares them (UTC, Redshift's string literals, serializable
 * transactions, the shim functions), each running the Redshift text after
 * `translateRedshift`, COPY through the Parquet emulation. What the Data API
 * server needs and PostgresEngine does not give: result sets as raw text with
 * their column types, a backend to cancel, and one session per statement so
 * that statements of different callers run at once, as on Redshift.
 */
export class RedshiftSessions {
  private readonly idle: Session[] = [];
  private readonly waiting: ((session: Session) => void)[] = [];
  private open = 0;
  private duck: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | null = null;
  private closed = false;

  private constructor(
    private readonly options: RedshiftSessionsOptions,
    private readonly admin: pg.Client,
    private readonly scratch: string,
  ) {}

  /** Connects an admin session and installs the shim functions into the database. */
  public static async open(options: RedshiftSessionsOptions): Promise<RedshiftSessions> {
    const admin = new pg.Client(options.connection);
    await admin.connect();
    await admin.query('begin');
    await admin.query('select pg_advisory_xact_lock(7342001)');
    for (const sql of SHIM_FUNCTIONS) await admin.query(sql);
    await admin.query('commit');
    // The server (another OS user when we are root) reads the COPY files from here.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-dataapi-'));
    chmodSync(scratch, 0o755);
    return new RedshiftSessions(options, admin, scratch);
  }

  /**
   * Runs the statements serially as one transaction on one session (the
   * Data API's BatchExecuteStatement; ExecuteStatement is a batch of one).
   * `values` binds the `:name` placeholders. `onStarted` gets the session's
   * backend pid, which `cancel` takes.
   */
  public async run(sqls: readonly string[], values: ReadonlyMap<string, string>, onStarted: (pid: number) => void): Promise<StatementOutcome[]> {
    const session = await this.acquire();
    onStarted(session.pid);
    const outcomes: StatementOutcome[] = [];
    let broken = false;
    try {
      await session.client.query('begin');
      for (const [index, sql] of sqls.entries()) {
        const started = performance.now();
        try {
          outcomes.push({ ...(await this.execute(session.client, sql, values)), ms: performance.now() - started });
        } catch (error) {
          await session.client.query('rollback').catch(() => {
            broken = true;
          });
          throw await this.explain(error, index, outcomes);
        }
      }
      await session.client.query('commit');
      return outcomes;
    } catch (error) {
      if (error instanceof SessionStatementError) throw error;
      broken = true;
      throw new SessionStatementError(`ERROR: ${error instanceof Error ? error.message : String(error)}`, outcomes.length, outcomes, false);
    } finally {
      // Each Data API call runs in a session of its own: temp tables do not outlive it.
      if (!broken) {
        await session.client.query('discard temp').catch(() => {
          broken = true;
        });
      }
      this.release(session, broken);
    }
  }

  /** Cancels what the backend runs now (pg_cancel_backend); false when nothing was running there. */
  public async cancel(pid: number): Promise<boolean> {
    const result = await this.admin.query({ text: 'select pg_cancel_backend($1) as cancelled', values: [pid] });
    return result.rows[0]?.cancelled === true;
  }

  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.idle.map((s) => s.client.end()));
    await this.admin.end();
    if (this.duck) {
      const { instance, connection } = await this.duck;
      connection.closeSync();
      instance.closeSync();
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private async execute(client: pg.Client, sql: string, values: ReadonlyMap<string, string>): Promise<Omit<StatementOutcome, 'ms'>> {
    const copy = parseParquetCopy(sql);
    if (copy) {
      const before = await client.query(`select count(*) as n from ${copy.table}`);
      await emulateParquetCopy(client, sql, copy, { ...this.options, scratch: this.scratch, duck: () => this.duckdb() });
      const after = await client.query(`select count(*) as n from ${copy.table}`);
      return { rowCount: Number(after.rows[0]?.n) - Number(before.rows[0]?.n), result: null };
    }
    const { text, args } = positional(translateRedshift(sql), values);
    const result = await client.query({ text, values: args, rowMode: 'array', types: RAW_TEXT });
    const created = createdByCtas(sql);
    if (created) await client.query(`analyze ${created}`);
    const hasResult = result.fields.length > 0;
    return {
      rowCount: result.rowCount ?? -1,
      result: hasResult
        ? {
            columns: result.fields.map((f) => ({ name: f.name, typeName: TYPE_NAMES.get(f.dataTypeID) ?? 'varchar' })),
            rows: result.rows as (string | null)[][],
          }
        : null,
    };
  }

  /** The failure as Redshift words it: `ERROR: ...`, and a varchar limit as "value too long for type character varying(n)". */
  private async explain(error: unknown, index: number, finished: readonly StatementOutcome[]): Promise<SessionStatementError> {
    const failed = error as pg.DatabaseError;
    const message = error instanceof Error ? error.message : String(error);
    if (failed.code === QUERY_CANCELED) return new SessionStatementError("ERROR: Query cancelled on user's request", index, finished, true);
    if (failed.code === CHECK_VIOLATION && failed.constraint?.endsWith('_bytes')) {
      const definition = await this.admin.query({ text: 'select pg_get_constraintdef(oid) as def from pg_constraint where conname = $1', values: [failed.constraint] });
      const limit = /<=\s*(\d+)/.exec(String(definition.rows[0]?.def ?? ''))?.[1] ?? '?';
      const column = /octet_length\(\(?"?([\w$]+)/.exec(String(definition.rows[0]?.def ?? ''))?.[1] ?? '?';
      return new SessionStatementError(
        `ERROR: value too long for type character varying(${limit}) (column ${failed.schema}.${failed.table}.${column}; Redshift counts bytes)`,
        index,
        finished,
        false,
      );
    }
    return new SessionStatementError(`ERROR: ${message}`, index, finished, false);
  }

  private async acquire(): Promise<Session> {
    if (this.closed) throw new Error('the Redshift sessions are closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.open < (this.options.maxSessions ?? 8)) return this.connect();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private async connect(): Promise<Session> {
    this.open += 1;
    try {
      const client = new pg.Client(this.options.connection);
      await client.connect();
      for (const sql of SESSION_SETUP) await client.query(sql);
      const pid = Number((await client.query('select pg_backend_pid() as pid')).rows[0]?.pid);
      return { client, pid };
    } catch (error) {
      this.open -= 1;
      throw error;
    }
  }

  private release(session: Session, broken: boolean): void {
    const next = this.waiting.shift();
    if (broken || this.closed) {
      this.open -= 1;
      void session.client.end().catch(() => undefined);
      // A waiter still needs a session: a fresh one replaces the broken one.
      if (next && !this.closed) void this.connect().then(next, () => this.waiting.unshift(next));
      return;
    }
    if (next) next(session);
    else this.idle.push(session);
  }

  private duckdb(): Promise<DuckDBConnection> {
    this.duck ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:');
      return { instance, connection: await instance.connect() };
    })();
    return this.duck.then((d) => d.connection);
  }
}
