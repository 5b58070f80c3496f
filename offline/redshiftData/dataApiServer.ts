import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { placeholdersOf } from '../../functions/core/engine/parameters.js';
import { SessionStatementError, type RedshiftSessions, type ResultSet, type StatementOutcome } from './postgresSessions.js';

/**
 * The Redshift Data API, served locally over PostgreSQL: the endpoint the
 * unmodified Lambda bundles reach through the AWS SDK
 * (AWS_ENDPOINT_URL_REDSHIFT_DATA). It speaks the service's protocol
 * (awsJson1_1: POST /, `X-Amz-Target: RedshiftData.<Operation>`) for the five
 * operations RedshiftEngine calls, and keeps the service's rules:
 *
 * - statements run asynchronously: Execute/BatchExecute answer with an id at
 *   once, DescribeStatement reports SUBMITTED, STARTED, then FINISHED, FAILED
 *   or ABORTED, so the caller's polling is what waits;
 * - a batch runs serially as one transaction; a failure rolls it back, names
 *   the failed sub-statement (`<id>:<n>`) and aborts the ones after it;
 * - at most 40 SQL statements per batch, 100 KB per statement; parameters are
 *   non-empty strings bound to `:name`, each referenced by some statement;
 * - the workgroup, database and secret must be the stack's;
 * - a statement is visible only to its owner (the IAM condition
 *   `redshift-data:statement-owner-iam-userid` of the stack's roles): another
 *   caller's Describe/GetStatementResult/Cancel is AccessDeniedException;
 * - results come in pages (NextToken), with each value typed as the Data API
 *   types it: int2/4/8 as longValue (digits as sent: a client parsing JSON
 *   numbers loses what exceeds 2^53, as it would against AWS), floats as
 *   doubleValue, booleans, everything else as stringValue.
 *
 * Faults (`DataApiFault`) make chosen calls fail with an AWS error, to run the
 * SDK's and the state machine's retries for real.
 */

/** The stack's warehouse as the functions name it (REDSHIFT_WORKGROUP, REDSHIFT_DATABASE, REDSHIFT_SECRET_ARN). */
export interface DataApiTarget {
  readonly workgroupName: string;
  readonly database: string;
  readonly secretArn: string;
}

/** Calls of one kind, by one caller, failing with an AWS error. */
export interface DataApiFault {
  readonly operation: DataApiOperation;
  /** The caller's access key id (each offline function has its own); any caller when absent. */
  readonly caller?: string;
  /** Matching calls let through before the first failure (default 0). */
  readonly after?: number;
  /** Consecutive matching calls that fail. */
  readonly times: number;
  readonly error: 'DatabaseConnectionException' | 'InternalServerException' | 'ThrottlingException' | 'ActiveStatementsExceededException';
}

export const DATA_API_OPERATIONS = ['ExecuteStatement', 'BatchExecuteStatement', 'DescribeStatement', 'GetStatementResult', 'CancelStatement'] as const;
export type DataApiOperation = (typeof DATA_API_OPERATIONS)[number];

export interface DataApiServerOptions {
  readonly target: DataApiTarget;
  readonly sessions: RedshiftSessions;
  /** Rows per GetStatementResult page (default 100; small on purpose, so the caller's NextToken loop runs). */
  readonly pageRows?: number;
  readonly faults?: readonly DataApiFault[];
}

/** The limits of the Data API (Redshift Data API reference). */
const MAX_BATCH_STATEMENTS = 40;
const MAX_STATEMENT_BYTES = 100 * 1024;
const MAX_STATEMENT_NAME = 500;

type Status = 'SUBMITTED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

interface SubStatement {
  readonly sql: string;
  status: Status;
  error?: string;
  outcome?: StatementOutcome;
  updatedAt: number;
}

/** One submitted statement (a batch, or one SQL). */
export interface StatementRecord {
  readonly id: string;
  readonly owner: string;
  readonly name: string | undefined;
  readonly batch: boolean;
  readonly parameters: readonly { name: string; value: string }[];
  readonly createdAt: number;
  status: Status;
  error?: string;
  updatedAt: number;
  pid?: number;
  cancelRequested: boolean;
  /** DescribeStatement calls made for it. */
  polls: number;
  readonly subs: SubStatement[];
}

/** What the server did, for the run's report. */
export interface DataApiStats {
  calls: Record<DataApiOperation, number>;
  /** SQL statements run (sub-statements of batches included). */
  sqlStatements: number;
  finished: number;
  failed: number;
  aborted: number;
  /** Calls answered with an injected fault. */
  injectedFaults: number;
  /** Calls refused (validation, access, unknown id). */
  refused: number;
  resultPages: number;
  /** int8 values beyond 2^53 sent as longValue: a client reading JSON numbers gets them rounded (as from AWS). */
  lossyLongValues: number;
}

class ApiError extends Error {
  public constructor(
    public readonly type: string,
    message: string,
    public readonly status: number,
    public readonly injected = false,
  ) {
    super(message);
    this.name = type;
  }
}

const validation = (message: string): ApiError => new ApiError('ValidationException', message, 400);

/** The Data API on a loopback port. */
export class DataApiServer {
  public readonly stats: DataApiStats = {
    calls: Object.fromEntries(DATA_API_OPERATIONS.map((op) => [op, 0])) as Record<DataApiOperation, number>,
    sqlStatements: 0,
    finished: 0,
    failed: 0,
    aborted: 0,
    injectedFaults: 0,
    refused: 0,
    resultPages: 0,
    lossyLongValues: 0,
  };
  private readonly records = new Map<string, StatementRecord>();
  private readonly running = new Set<Promise<void>>();
  private readonly faultCounts = new Map<DataApiFault, number>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: DataApiServerOptions,
  ) {}

  /** Starts listening on 127.0.0.1 (a free port unless given). */
  public static async start(options: DataApiServerOptions, port = 0): Promise<DataApiServer> {
    let api: DataApiServer | undefined;
    const server = http.createServer((request, response) => void api?.handle(request, response));
    api = new DataApiServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return api;
  }

  /** `http://127.0.0.1:<port>`, the value of AWS_ENDPOINT_URL_REDSHIFT_DATA. */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every statement submitted so far, oldest first. */
  public statements(): StatementRecord[] {
    return [...this.records.values()];
  }

  /** Stops listening after the statements still running end. */
  public async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.allSettled([...this.running]);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const requestId = randomUUID();
    let operation: DataApiOperation | undefined;
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const name = target.startsWith('RedshiftData.') ? target.slice('RedshiftData.'.length) : '';
      if (request.method !== 'POST' || !(DATA_API_OPERATIONS as readonly string[]).includes(name)) {
        throw new ApiError('UnknownOperationException', `the offline Data API does not serve ${JSON.stringify(target)}`, 400);
      }
      operation = name as DataApiOperation;
      this.stats.calls[operation] += 1;
      const caller = callerOf(request.headers.authorization);
      this.injectFault(operation, caller);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const body = this.operate(operation, input, caller);
      send(response, 200, requestId, body);
    } catch (error) {
      const failure = error instanceof ApiError ? error : new ApiError('InternalServerException', error instanceof Error ? error.message : String(error), 500);
      if (!failure.injected) this.stats.refused += 1;
      send(response, failure.status, requestId, JSON.stringify({ __type: failure.type, message: failure.message }), failure.type);
    }
  }

  private injectFault(operation: DataApiOperation, caller: string): void {
    for (const fault of this.options.faults ?? []) {
      if (fault.operation !== operation || (fault.caller !== undefined && fault.caller !== caller)) continue;
      const seen = (this.faultCounts.get(fault) ?? 0) + 1;
      this.faultCounts.set(fault, seen);
      const after = fault.after ?? 0;
      if (seen > after && seen <= after + fault.times) {
        this.stats.injectedFaults += 1;
        const status = fault.error === 'ThrottlingException' || fault.error === 'ActiveStatementsExceededException' ? 400 : 500;
        throw new ApiError(fault.error, `injected fault (${fault.error}) on ${operation}, call ${seen}`, status, true);
      }
    }
  }

  private operate(operation: DataApiOperation, input: Record<string, unknown>, caller: string): string {
    switch (operation) {
      case 'ExecuteStatement':
        return JSON.stringify(this.submit(input, caller, [requireString(input, 'Sql')], false));
      case 'BatchExecuteStatement': {
        const sqls = input.Sqls;
        if (!Array.isArray(sqls) || sqls.some((s) => typeof s !== 'string')) throw validation('Sqls must be a list of strings');
        return JSON.stringify(this.submit(input, caller, sqls as string[], true));
      }
      case 'DescribeStatement':
        return JSON.stringify(this.describe(this.owned(requireString(input, 'Id'), caller)));
      case 'GetStatementResult':
        return this.result(requireString(input, 'Id'), input.NextToken, caller);
      case 'CancelStatement':
        return JSON.stringify(this.cancel(this.owned(requireString(input, 'Id'), caller)));
    }
  }

  private submit(input: Record<string, unknown>, caller: string, sqls: string[], batch: boolean): Record<string, unknown> {
    const { target } = this.options;
    if (input.WorkgroupName !== target.workgroupName) throw validation(`workgroup ${JSON.stringify(input.WorkgroupName)} not found (this endpoint serves ${target.workgroupName})`);
    if (input.ClusterIdentifier !== undefined) throw validation('ClusterIdentifier and WorkgroupName are mutually exclusive; the stack uses a Serverless workgroup');
    if (input.Database !== target.database) throw validation(`database ${JSON.stringify(input.Database)} does not exist in workgroup ${target.workgroupName}`);
    if (input.SecretArn !== target.secretArn) throw new ApiError('AccessDeniedException', `not authorized to read secret ${String(input.SecretArn)}`, 403);
    if (input.SessionKeepAliveSeconds !== undefined || input.SessionId !== undefined) throw validation('sessions are not emulated offline');
    if (typeof input.StatementName === 'string' && input.StatementName.length > MAX_STATEMENT_NAME) throw validation(`StatementName is longer than ${MAX_STATEMENT_NAME}`);
    if (sqls.length === 0 || sqls.length > MAX_BATCH_STATEMENTS) throw validation(`Sqls must hold 1 to ${MAX_BATCH_STATEMENTS} statements, got ${sqls.length}`);
    for (const sql of sqls) {
      if (sql.trim() === '') throw validation('a SQL statement is empty');
      if (Buffer.byteLength(sql, 'utf8') > MAX_STATEMENT_BYTES) throw validation(`a SQL statement is ${Buffer.byteLength(sql, 'utf8')} bytes; the limit is ${MAX_STATEMENT_BYTES}`);
    }
    const parameters = parametersOf(input.Parameters);
    const referenced = new Set(sqls.flatMap((sql) => placeholdersOf(sql).map((p) => p.name)));
    for (const p of parameters) {
      if (!referenced.has(p.name)) throw validation(`parameter ${p.name} is not referenced by any SQL statement`);
    }
    const now = Date.now();
    const record: StatementRecord = {
      id: randomUUID(),
      owner: caller,
      name: typeof input.StatementName === 'string' ? input.StatementName : undefined,
      batch,
      parameters,
      createdAt: now,
      status: 'SUBMITTED',
      updatedAt: now,
      cancelRequested: false,
      polls: 0,
      subs: sqls.map((sql) => ({ sql, status: 'SUBMITTED', updatedAt: now })),
    };
    this.records.set(record.id, record);
    const run = this.execute(record).finally(() => this.running.delete(run));
    this.running.add(run);
    return {
      Id: record.id,
      CreatedAt: now / 1000,
      WorkgroupName: target.workgroupName,
      Database: target.database,
      SecretArn: target.secretArn,
      ...(batch ? { DbGroups: [] } : {}),
    };
  }

  private async execute(record: StatementRecord): Promise<void> {
    const values = new Map(record.parameters.map((p) => [p.name, p.value]));
    const mark = (status: Status, error?: string): void => {
      record.status = status;
      record.error = error;
      record.updatedAt = Date.now();
    };
    // Let the submission answer first: the caller sees SUBMITTED before anything runs.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const outcomes = await this.options.sessions.run(
        record.subs.map((s) => s.sql),
        values,
        (pid) => {
          record.pid = pid;
          mark('STARTED');
          for (const sub of record.subs) sub.status = 'STARTED';
        },
      );
      outcomes.forEach((outcome, i) => Object.assign(record.subs[i] as SubStatement, { status: 'FINISHED', outcome, updatedAt: Date.now() }));
      this.stats.sqlStatements += outcomes.length;
      this.stats.finished += 1;
      mark('FINISHED');
    } catch (error) {
      const failed = error instanceof SessionStatementError ? error : new SessionStatementError(`ERROR: ${String(error)}`, 0, [], false);
      const status: Status = failed.cancelled || record.cancelRequested ? 'ABORTED' : 'FAILED';
      record.subs.forEach((sub, i) => {
        sub.updatedAt = Date.now();
        if (i < failed.index) Object.assign(sub, { status: 'FINISHED', outcome: failed.finished[i] });
        else if (i === failed.index) Object.assign(sub, { status, error: failed.message });
        else sub.status = 'ABORTED';
      });
      this.stats.sqlStatements += failed.index + 1;
      if (status === 'ABORTED') this.stats.aborted += 1;
      else this.stats.failed += 1;
      mark(status, failed.message);
    }
  }

  private owned(id: string, caller: string): StatementRecord {
    const record = this.records.get(id.split(':')[0] ?? '');
    if (!record) throw new ApiError('ResourceNotFoundException', `Query ${id} does not exist`, 404);
    if (record.owner !== caller) {
      throw new ApiError('AccessDeniedException', `${caller} is not authorized to access statement ${id}: it belongs to another identity (redshift-data:statement-owner-iam-userid)`, 403);
    }
    return record;
  }

  private describe(record: StatementRecord): Record<string, unknown> {
    record.polls += 1;
    const { target } = this.options;
    const subs = record.subs;
    const single = subs[0] as SubStatement;
    const duration = (from: number, to: number, status: Status) => (status === 'FINISHED' || status === 'FAILED' || status === 'ABORTED' ? Math.round((to - from) * 1e6) : -1);
    return {
      Id: record.id,
      Status: record.status,
      ...(record.error ? { Error: record.error } : {}),
      CreatedAt: record.createdAt / 1000,
      UpdatedAt: record.updatedAt / 1000,
      Duration: duration(record.createdAt, record.updatedAt, record.status),
      WorkgroupName: target.workgroupName,
      Database: target.database,
      SecretArn: target.secretArn,
      ...(record.pid !== undefined ? { RedshiftPid: record.pid } : {}),
      QueryString: record.batch ? '' : single.sql,
      HasResultSet: record.batch ? false : single.outcome?.result != null,
      ResultRows: record.batch ? -1 : (single.outcome?.rowCount ?? -1),
      ResultSize: -1,
      ...(record.parameters.length > 0 ? { QueryParameters: record.parameters } : {}),
      ...(record.batch
        ? {
            SubStatements: subs.map((sub, i) => ({
              Id: `${record.id}:${i + 1}`,
              Status: sub.status,
              ...(sub.error ? { Error: sub.error } : {}),
              QueryString: sub.sql,
              HasResultSet: sub.outcome?.result != null,
              ResultRows: sub.outcome?.rowCount ?? -1,
              CreatedAt: record.createdAt / 1000,
              UpdatedAt: sub.updatedAt / 1000,
              Duration: duration(record.createdAt, sub.updatedAt, sub.status),
            })),
          }
        : {}),
    };
  }

  private result(id: string, nextToken: unknown, caller: string): string {
    const record = this.owned(id, caller);
    const [, position] = id.split(':');
    if (record.batch && position === undefined) throw validation(`${id} is a batch: ask for the result of a sub-statement (${id}:<n>)`);
    const sub = record.subs[position === undefined ? 0 : Number(position) - 1];
    if (!sub) throw new ApiError('ResourceNotFoundException', `Query ${id} does not exist`, 404);
    if (sub.status !== 'FINISHED' || !sub.outcome?.result) {
      throw validation(`Query does not have result. Please check query status with DescribeStatement (${id} is ${sub.status}).`);
    }
    const set = sub.outcome.result;
    const pageRows = this.options.pageRows ?? 100;
    const start = nextToken === undefined ? 0 : Number(String(nextToken).replace(/^page-/, ''));
    if (!Number.isInteger(start) || start < 0 || start > set.rows.length) throw validation(`NextToken ${String(nextToken)} is not valid`);
    const end = Math.min(start + pageRows, set.rows.length);
    this.stats.resultPages += 1;
    const page = resultPageJson(set, start, end, end < set.rows.length ? `page-${end}` : undefined);
    this.stats.lossyLongValues += page.lossyLongValues;
    return page.json;
  }

  private cancel(record: StatementRecord): Record<string, unknown> {
    if (record.status === 'FINISHED' || record.status === 'FAILED' || record.status === 'ABORTED') {
      throw validation(`Could not cancel a query that is already in ${record.status} state.`);
    }
    record.cancelRequested = true;
    if (record.pid !== undefined) void this.options.sessions.cancel(record.pid);
    return { Status: true };
  }
}

/** The access key id of a SigV4-signed request: each offline function signs with its own, standing for its role. */
function callerOf(authorization: string | undefined): string {
  const match = /Credential=([^/]+)\/\d{8}\/[^/]+\/redshift-data\/aws4_request/.exec(authorization ?? '');
  if (!match) throw new ApiError('MissingAuthenticationTokenException', 'the request is not signed for redshift-data (SigV4)', 403);
  return match[1] as string;
}

function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw validation(`${field} is required`);
  return value;
}

function parametersOf(raw: unknown): { name: string; value: string }[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validation('Parameters must be a list');
  const seen = new Set<string>();
  return raw.map((p: { name?: unknown; value?: unknown }) => {
    if (typeof p?.name !== 'string' || !/^[A-Za-z_]\w*$/.test(p.name)) throw validation(`parameter name ${JSON.stringify(p?.name)} is not valid`);
    if (typeof p.value !== 'string' || p.value.length === 0) throw validation(`parameter ${p.name} must have a non-empty string value (the Data API binds no NULL and no empty string)`);
    if (seen.has(p.name)) throw validation(`parameter ${p.name} is given twice`);
    seen.add(p.name);
    return { name: p.name, value: p.value };
  });
}

const LONG_TYPES = new Set(['int2', 'int4', 'int8']);
const DOUBLE_TYPES = new Set(['float4', 'float8']);

/**
 * One GetStatementResult page. longValue digits are written as PostgreSQL sent
 * them (JSON.stringify of a JS number would already have rounded a big int8).
 */
function resultPageJson(set: ResultSet, start: number, end: number, nextToken: string | undefined): { json: string; lossyLongValues: number } {
  const raw: string[] = [];
  let lossyLongValues = 0;
  const records = set.rows.slice(start, end).map((row) =>
    row.map((value, i) => {
      const type = set.columns[i]?.typeName ?? 'varchar';
      if (value === null) return { isNull: true };
      if (LONG_TYPES.has(type)) {
        if (!Number.isSafeInteger(Number(value))) lossyLongValues += 1;
        raw.push(value);
        return { longValue: `\u0000${raw.length - 1}\u0000` };
      }
      if (DOUBLE_TYPES.has(type)) return { doubleValue: Number(value) };
      if (type === 'bool') return { booleanValue: value === 't' || value === 'true' };
      return { stringValue: value };
    }),
  );
  const body = {
    Records: records,
    ColumnMetadata: set.columns.map((c) => ({ name: c.name, label: c.name, typeName: c.typeName, nullable: 1 })),
    TotalNumRows: set.rows.length,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
  return { json: JSON.stringify(body).replace(/"\\u0000(\d+)\\u0000"/g, (_m, n: string) => raw[Number(n)] as string), lossyLongValues };
}

function send(response: http.ServerResponse, status: number, requestId: string, body: string | Record<string, unknown>, errorType?: string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
