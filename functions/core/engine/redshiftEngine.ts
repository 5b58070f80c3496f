import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type ColumnMetadata,
  type DescribeStatementResponse,
  type Field,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import { ConfigError, WarehouseStatementError, WarehouseThrottledError, WarehouseTimeoutError } from '../errors.js';
import { quotedIdentifier, quotedLiteral } from '../sql/quote.js';
import { placeholdersOf, renamePlaceholders } from './parameters.js';
import { parseRedshiftConfig, type RedshiftConfig, type RedshiftConfigInput } from './redshiftConfig.js';
import type { ParamValue, Row, Statement, WarehouseEngine } from './types.js';

/** Data API limits (Redshift Data API reference): statements per batch, bytes per statement. */
const MAX_BATCH_STATEMENTS = 40;
const MAX_STATEMENT_BYTES = 100 * 1024;

/**
 * Errors that mean "busy, try again", surfaced as WarehouseThrottledError so
 * Step Functions can Retry on that one name. The SDK has already retried them
 * with its own backoff by the time they reach us.
 */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
]);

/** Data API errors of a poll that say nothing about the statement (the service had a moment): poll again. */
const TRANSIENT_POLL_ERRORS: ReadonlySet<string> = new Set(['InternalServerException', 'DatabaseConnectionException']);

/** Errors where the Data API refused the request itself (bad SQL size, bad parameters): the statement is at fault. */
const REJECTION_ERRORS: ReadonlySet<string> = new Set([
  'ValidationException',
  'ExecuteStatementException',
  'BatchExecuteStatementException',
]);

/** `:name` parameter names as the pipeline writes them (and as DuckDB's `$name` rewrite expects). */
const PARAM_NAME = /^[A-Za-z_]\w*$/;

/**
 * The only lake prefixes COPY may read. The S3 path cannot be a bound
 * parameter in COPY, so it is spliced as a literal; this pattern (no quotes,
 * no spaces, no `//`, a fixed layout ending in a batch id) is what makes that safe.
 */
const LAKE_PREFIX = /^(silver|quarantine)\/[a-z_]+\/batch_id=[0-9A-Za-z_.-]{1,64}$/;

/** How the normalizers name the parquet data files of a batch folder (Spark: part-00000-<uuid>.snappy.parquet). */
const DATA_FILE_PREFIX = 'part-';

/** `table` or `schema.table`, lower-case, as the pipeline names its tables. */
const TABLE_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/**
 * The warehouse engine on Amazon Redshift (Serverless) through the Data API.
 *
 * Transactions: one `BatchExecuteStatement` per call. The Data API runs its
 * `Sqls` serially as one transaction (rolled back as a whole on failure) and
 * binds one `Parameters` list for all of them ("each statement can reference
 * any subset of the provided parameters; each provided parameter must be
 * referenced by at least one SQL statement"), so parameters stay bound (never
 * spliced) without holding a session. Steps may still give the same name
 * different values in different statements (one ledger row per table, one
 * result row per test): the engine then renames that placeholder in the later
 * statement (`:batch_id` in statement 3 becomes `:s3_batch_id`), leaving
 * string literals, quoted identifiers, comments and `::casts` alone. A session
 * (`SessionKeepAliveSeconds` plus explicit `begin`/`commit`) would avoid the
 * renaming, but would leave an open transaction behind if the Lambda died
 * between calls, and cost one round trip and one poll loop per statement.
 */
export class RedshiftEngine implements WarehouseEngine {
  public readonly dialect = 'redshift' as const;
  private readonly config: RedshiftConfig;
  private readonly client: RedshiftDataClient;
  private readonly ownsClient: boolean;
  private deadline: number | null = null;

  /** Validates the configuration (ConfigError) and uses `client` if given, e.g. a mocked one. */
  public constructor(config: RedshiftConfigInput, client?: RedshiftDataClient) {
    this.config = parseRedshiftConfig(config);
    this.client = client ?? new RedshiftDataClient(this.config.region ? { region: this.config.region } : {});
    this.ownsClient = client === undefined;
  }

  public async transaction(statements: readonly Statement[]): Promise<void> {
    if (statements.length === 0) return;
    const all = statements.map((s) => s.sql).join(';\n');
    checkBatch(statements);
    this.assertTimeLeft(statements);
    const { sqls, parameters } = bindBatch(statements);
    const submitted = await this.call(all, () =>
      this.client.send(
        new BatchExecuteStatementCommand({
          ...this.target(),
          Sqls: sqls,
          ...(parameters.length > 0 ? { Parameters: parameters } : {}),
          StatementName: statementName(statements),
        }),
      ),
    );
    await this.waitFor(requireId(submitted.Id, all), statements);
  }

  public loadParquet(table: string, columns: readonly string[], lakePrefix: string): Statement {
    return redshiftCopyStatement(this.config, table, columns, lakePrefix);
  }

  public async query(statement: Statement): Promise<Row[]> {
    checkSize(statement);
    this.assertTimeLeft([statement]);
    const parameters = toSqlParameters(statement);
    const submitted = await this.call(statement.sql, () =>
      this.client.send(
        new ExecuteStatementCommand({
          ...this.target(),
          Sql: statement.sql,
          ...(parameters.length > 0 ? { Parameters: parameters } : {}),
          StatementName: statementName([statement]),
        }),
      ),
    );
    const id = requireId(submitted.Id, statement.sql);
    const finished = await this.waitFor(id, [statement]);
    // GetStatementResult fails on a statement without a result set (DDL, DML), so ask only when there is one.
    return finished.HasResultSet ? this.readResult(id, statement) : [];
  }

  /** A statement still running at the deadline is cancelled (CancelStatement), whatever its own timeout. */
  public setDeadline(deadline: number | null): void {
    this.deadline = deadline;
  }

  /** Stateless API: only a client this engine created has sockets to release. */
  public async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private target(): { WorkgroupName: string; Database: string; SecretArn: string } {
    return { WorkgroupName: this.config.workgroupName, Database: this.config.database, SecretArn: this.config.secretArn };
  }

  /** Polls DescribeStatement with exponential backoff until a final status or the deadline. */
  private async waitFor(id: string, statements: readonly Statement[]): Promise<DescribeStatementResponse> {
    const { initialDelayMs, maxDelayMs, backoffFactor, timeoutMs } = this.config.poll;
    const statementDeadline = Date.now() + timeoutMs;
    const stepDeadline = this.deadline ?? Number.POSITIVE_INFINITY;
    const deadline = Math.min(statementDeadline, stepDeadline);
    let delay = initialDelayMs;
    let last: string | undefined;
    for (;;) {
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      const described = await this.describe(id, statements);
      last = described?.Status ?? last;
      if (described?.Status === 'FINISHED') return described;
      if (described?.Status === 'FAILED' || described?.Status === 'ABORTED') throw failure(described, statements);
      if (Date.now() >= deadline) throw await this.timedOut(id, statements, last, stepDeadline < statementDeadline);
      delay = Math.min(delay * backoffFactor, maxDelayMs);
    }
  }

  /**
   * A throttled or transiently failing poll is not a failed statement: it
   * returns undefined and the loop polls again later (failing the step would
   * let Step Functions retry it while the submitted batch may still commit).
   */
  private async describe(id: string, statements: readonly Statement[]): Promise<DescribeStatementResponse | undefined> {
    try {
      return await this.client.send(new DescribeStatementCommand({ Id: id }));
    } catch (error) {
      if (isThrottling(error) || (error instanceof Error && TRANSIENT_POLL_ERRORS.has(error.name))) return undefined;
      throw mapSdkError(error, joinedSql(statements));
    }
  }

  /** Cancels best-effort (a cancelled batch rolls back) and says in the error whether the cancel went through. */
  private async timedOut(id: string, statements: readonly Statement[], status: string | undefined, atStepDeadline: boolean): Promise<WarehouseTimeoutError> {
    let cancelled: string;
    try {
      const response = await this.client.send(new CancelStatementCommand({ Id: id }));
      cancelled = response.Status === false ? 'Redshift refused to cancel it' : 'it was cancelled';
    } catch (error) {
      cancelled = `cancelling it failed (${error instanceof Error ? error.message : String(error)})`;
    }
    const seconds = this.config.poll.timeoutMs / 1000;
    const why = atStepDeadline
      ? "was still running at the step's deadline (the time the Lambda invocation has left, minus the margin to report)"
      : `did not finish within ${seconds} s`;
    return new WarehouseTimeoutError(`warehouse statement ${id}${where(statements)} ${why} (last status ${status ?? 'unknown'}); ${cancelled}`);
  }

  /** Past the step's deadline nothing new is submitted: it could only commit after the function is gone. */
  private assertTimeLeft(statements: readonly Statement[]): void {
    if (this.deadline !== null && Date.now() >= this.deadline) {
      throw new WarehouseTimeoutError(`the step's time is up; ${where(statements) || 'the statement'} was not submitted`);
    }
  }

  /** Reads every page of the result (NextToken) into rows keyed by column name. */
  private async readResult(id: string, statement: Statement): Promise<Row[]> {
    const rows: Row[] = [];
    let columns: readonly ColumnMetadata[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.call(statement.sql, () =>
        this.client.send(new GetStatementResultCommand({ Id: id, ...(token ? { NextToken: token } : {}) })),
      );
      if (page.ColumnMetadata && page.ColumnMetadata.length > 0) columns = page.ColumnMetadata;
      for (const record of page.Records ?? []) rows.push(toRow(columns, record));
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }

  private async call<T>(sql: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw mapSdkError(error, sql);
    }
  }
}

/** The Data API binds strings only, and neither NULL nor '' (PLATFORM.md): refuse those here, naming the parameter. */
export function toSqlParameters(statement: Statement): SqlParameter[] {
  return Object.entries(statement.params ?? {}).map(([name, value]) => ({ name, value: parameterText(name, value, statement) }));
}

function parameterText(name: string, value: ParamValue | null | undefined, statement: Statement): string {
  const reject = (why: string): never => {
    throw new WarehouseStatementError(`parameter :${name}${where([statement])} ${why}`, statement.sql);
  };
  if (!PARAM_NAME.test(name)) reject('is not a valid parameter name (letters, digits and _, not starting with a digit)');
  if (value === null || value === undefined) {
    return reject('is NULL: the Redshift Data API cannot bind NULL; write the NULL case into the SQL instead');
  }
  if (typeof value === 'string') return value === '' ? reject("is '': the Redshift Data API cannot bind an empty string") : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : reject(`is ${value}, which has no SQL value`);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return reject(`has unsupported type ${typeof value}`);
}

/** The Sqls and the one Parameters list of a batch, after renaming placeholders whose name another statement binds to another value. */
export function bindBatch(statements: readonly Statement[]): { sqls: string[]; parameters: SqlParameter[] } {
  const bound = new Map<string, string>();
  const taken = new Set(statements.flatMap((s) => Object.keys(s.params ?? {})));
  const sqls = statements.map((statement, index) => {
    const used = new Set(placeholdersOf(statement.sql).map((p) => p.name));
    const given = new Map(toSqlParameters(statement).map((p) => [p.name as string, p.value as string]));
    for (const name of used) {
      if (!given.has(name)) {
        throw new WarehouseStatementError(
          `statement${where([statement])} uses :${name} but gives it no value (in a batch it would silently take another statement's)`,
          statement.sql,
        );
      }
    }
    const renames = new Map<string, string>();
    for (const [name, value] of given) {
      // A value the statement does not reference is not sent: the Data API refuses unreferenced parameters.
      if (!used.has(name)) continue;
      const seen = bound.get(name);
      if (seen === undefined) bound.set(name, value);
      else if (seen !== value) {
        const renamed = freeName(`s${index + 1}_${name}`, taken);
        taken.add(renamed);
        bound.set(renamed, value);
        renames.set(name, renamed);
      }
    }
    return renames.size > 0 ? renamePlaceholders(statement.sql, renames) : statement.sql;
  });
  return { sqls, parameters: [...bound].map(([name, value]) => ({ name, value })) };
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n += 1) name = `${base}_${n}`;
  return name;
}

/** The Data API's limits on one BatchExecuteStatement: at most 40 statements, each within 100 KB. */
export function checkBatch(statements: readonly Statement[]): void {
  if (statements.length > MAX_BATCH_STATEMENTS) {
    throw new WarehouseStatementError(
      `a transaction of ${statements.length} statements exceeds the Data API's ${MAX_BATCH_STATEMENTS} per BatchExecuteStatement; split the step`,
      joinedSql(statements),
    );
  }
  statements.forEach(checkSize);
}

/**
 * The COPY that appends a batch's parquet files to a table, as Redshift runs
 * it. Validates table, columns and prefix: the S3 path and the role cannot be
 * bound parameters, so they are spliced as literals.
 */
export function redshiftCopyStatement(
  config: Pick<RedshiftConfig, 'lakeBucket' | 'copyRoleArn'>,
  table: string,
  columns: readonly string[],
  lakePrefix: string,
): Statement {
  if (!TABLE_NAME.test(table)) throw new ConfigError(`loadParquet: table ${JSON.stringify(table)} is not a lower-case [schema.]table name`);
  if (columns.length === 0) throw new ConfigError(`loadParquet: no columns given for ${table}`);
  if (!LAKE_PREFIX.test(lakePrefix)) {
    throw new ConfigError(`loadParquet: lake prefix ${JSON.stringify(lakePrefix)} does not match (silver|quarantine)/<table>/batch_id=<BATCH>`);
  }
  const target = table.split('.').map(quotedIdentifier).join('.');
  const list = columns.map(quotedIdentifier).join(', ');
  // COPY reads every object whose key starts with the source, and the batch folder also
  // holds _manifest.json: only the data files (`part-*`, as Spark and the local
  // normalizer name them) are loaded. The `/` keeps batch_id=2024-01-0 from also
  // matching batch_id=2024-01-01/.
  const source = quotedLiteral(`s3://${config.lakeBucket}/${lakePrefix}/${DATA_FILE_PREFIX}`);
  return {
    label: `load ${table}`,
    sql: `copy ${target} (${list}) from ${source} iam_role ${quotedLiteral(config.copyRoleArn)} format as parquet`,
  };
}

/** A statement within the Data API's 100 KB. */
export function checkSize(statement: Statement): void {
  const bytes = Buffer.byteLength(statement.sql, 'utf8');
  if (bytes > MAX_STATEMENT_BYTES) {
    throw new WarehouseStatementError(
      `statement${where([statement])} is ${bytes} bytes; the Data API accepts at most ${MAX_STATEMENT_BYTES} per statement`,
      statement.sql,
    );
  }
}

/** FAILED or ABORTED, naming the first failed sub-statement of a batch (its label, position and Redshift's message). */
function failure(described: DescribeStatementResponse, statements: readonly Statement[]): WarehouseStatementError {
  const verb = described.Status === 'ABORTED' ? 'aborted' : 'failed';
  const subs = described.SubStatements ?? [];
  const failed = subs.find((sub) => sub.Status === 'FAILED');
  const index = failed ? subStatementIndex(failed.Id, subs.indexOf(failed), statements.length) : -1;
  const statement = index >= 0 ? statements[index] : statements.length === 1 ? statements[0] : undefined;
  const position = index >= 0 && statements.length > 1 ? `statement ${index + 1} of ${statements.length}` : '';
  const label = [statement?.label, position].filter(Boolean).join(', ');
  const message = failed?.Error ?? described.Error ?? (verb === 'aborted' ? 'the statement was cancelled or aborted' : 'no message from Redshift');
  const sql = statement?.sql ?? failed?.QueryString ?? joinedSql(statements);
  return new WarehouseStatementError(`warehouse statement ${verb}${label ? ` (${label})` : ''}: ${message}`, sql);
}

/** Sub-statement ids are `<batch id>:<n>`, n counting Sqls from 1; fall back to the array position. */
function subStatementIndex(id: string | undefined, position: number, count: number): number {
  const n = Number(id?.split(':').pop());
  return Number.isInteger(n) && n >= 1 && n <= count ? n - 1 : position;
}

function mapSdkError(error: unknown, sql: string): Error {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (isThrottling(error)) {
    return new WarehouseThrottledError(`the warehouse is busy (${name || 'throttled'}): ${message}`, { cause: error });
  }
  if (REJECTION_ERRORS.has(name)) {
    return new WarehouseStatementError(`the Data API rejected the statement (${name}): ${message}`, sql, { cause: error });
  }
  // Anything else (access denied, network, unknown workgroup) keeps its own AWS name for Catch/alerts.
  return error instanceof Error ? error : new Error(message);
}

function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  return THROTTLING_ERRORS.has(error.name) || retryable?.throttling === true;
}

/**
 * One Data API record as a Row. BIGINT (int8) comes back as a string, as
 * DuckDB's JSON reader returns it, so callers see the same shapes on both
 * engines; NUMERIC and timestamps already arrive as strings.
 */
function toRow(columns: readonly ColumnMetadata[], record: readonly Field[]): Row {
  const row: Row = {};
  record.forEach((field, i) => {
    const column = columns[i];
    row[column?.name ?? column?.label ?? `column_${i + 1}`] = fieldValue(field, column);
  });
  return row;
}

function fieldValue(field: Field, column: ColumnMetadata | undefined): Row[string] {
  if (field.isNull === true) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return /^(int8|bigint)$/i.test(column?.typeName ?? '') ? String(field.longValue) : field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  return null;
}

function requireId(id: string | undefined, sql: string): string {
  if (!id) throw new WarehouseStatementError('the Data API accepted the statement but returned no statement id', sql);
  return id;
}

/** Labels make the statement findable in the console's query history; the API caps the name at 500 characters. */
function statementName(statements: readonly Statement[]): string {
  const labels = statements.map((s) => s.label).filter(Boolean);
  return `ecomdw: ${labels.length > 0 ? labels.join(', ') : `${statements.length} statement(s)`}`.slice(0, 500);
}

function where(statements: readonly Statement[]): string {
  const labels = statements.map((s) => s.label).filter(Boolean);
  return labels.length > 0 ? ` (${labels.join(', ')})` : '';
}

function joinedSql(statements: readonly Statement[]): string {
  return statements.map((s) => s.sql).join(';\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
