import {
  ActiveSessionsExceededException,
  ActiveStatementsExceededException,
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RedshiftEngine } from '../functions/core/engine/redshiftEngine.js';
import { DEFAULT_POLL_SETTINGS, redshiftConfigFromEnv, type PollSettings } from '../functions/core/engine/redshiftConfig.js';
import type { Statement } from '../functions/core/engine/types.js';
import {
  ConfigError,
  WarehouseStatementError,
  WarehouseThrottledError,
  WarehouseTimeoutError,
} from '../functions/core/errors.js';

const CONFIG = {
  workgroupName: 'ecomdw-dev',
  database: 'ecomdw',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecomdw-admin-AbCdEf',
  lakeBucket: 'ecomdw-dev-lake',
  copyRoleArn: 'arn:aws:iam::123456789012:role/ecomdw-dev-redshift-copy',
} as const;

const ENV = {
  REDSHIFT_WORKGROUP: CONFIG.workgroupName,
  REDSHIFT_DATABASE: CONFIG.database,
  REDSHIFT_SECRET_ARN: CONFIG.secretArn,
  LAKE_BUCKET: CONFIG.lakeBucket,
  REDSHIFT_COPY_ROLE_ARN: CONFIG.copyRoleArn,
};

const redshift = mockClient(RedshiftDataClient);

/** An engine on the mocked client; zero poll delays unless a test needs real backoff. */
function engineWith(poll: Partial<PollSettings> = {}): RedshiftEngine {
  return new RedshiftEngine({ ...CONFIG, poll: { initialDelayMs: 0, ...poll } }, new RedshiftDataClient({ region: 'eu-west-1' }));
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the promise to reject, it resolved');
}

const STEP: readonly Statement[] = [
  {
    label: 'expire changed versions',
    sql: 'update dw.dim_customers set valid_to = :as_of where batch_id = :batch_id',
    params: { as_of: '2024-01-02 00:00:00', batch_id: '2024-01-02' },
  },
  { label: 'insert new versions', sql: 'insert into dw.dim_customers select * from staging.customers where batch_id = :batch_id', params: { batch_id: '2024-01-02' } },
  { label: 'record batch', sql: "update audit.batches set status = 'dims_done' where batch_id = :batch_id", params: { batch_id: '2024-01-02' } },
];

beforeEach(() => {
  redshift.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Configuring the engine', () => {
  it('reads every setting from the environment, the timeout in seconds', () => {
    // Prepare
    const env = { ...ENV, REDSHIFT_TIMEOUT_SECONDS: '90' };

    // Act
    const config = redshiftConfigFromEnv(env);

    // Assess
    expect(config).toEqual({ ...CONFIG, poll: { ...DEFAULT_POLL_SETTINGS, timeoutMs: 90_000 } });
  });

  it('accepts the secret Redshift creates for a managed admin password (redshift!<namespace>-<user>-XXXXXX)', () => {
    // Prepare: the ARN the stack passes (Namespace.adminPasswordSecretArn with manageAdminPassword), '!' included
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!ecomdw-dev-ecomdw_admin-rOvT60';

    // Act
    const config = redshiftConfigFromEnv({ ...ENV, REDSHIFT_SECRET_ARN: secretArn });

    // Assess
    expect(config.secretArn).toBe(secretArn);
  });

  it('names every missing environment variable in one ConfigError', () => {
    // Prepare
    const env = { REDSHIFT_WORKGROUP: CONFIG.workgroupName, LAKE_BUCKET: '' };

    // Act
    const act = (): unknown => redshiftConfigFromEnv(env);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/REDSHIFT_DATABASE is missing.*REDSHIFT_SECRET_ARN is missing.*LAKE_BUCKET is missing.*REDSHIFT_COPY_ROLE_ARN is missing/);
  });

  it.each([
    ['LAKE_BUCKET', 's3://ecomdw-dev-lake'],
    ['LAKE_BUCKET', "lake' iam_role 'x"],
    ['REDSHIFT_COPY_ROLE_ARN', "arn:aws:iam::123456789012:role/x' format as csv --"],
    ['REDSHIFT_SECRET_ARN', 'ecomdw-admin'],
    ['REDSHIFT_TIMEOUT_SECONDS', 'ten'],
    ['REDSHIFT_TIMEOUT_SECONDS', '0'],
  ])('rejects %s = %j with a ConfigError naming the variable', (variable, value) => {
    // Prepare
    const env = { ...ENV, [variable]: value };

    // Act
    const act = (): unknown => redshiftConfigFromEnv(env);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(new RegExp(`${variable} must be`));
  });

  it('rejects poll settings that cannot back off', () => {
    // Prepare
    const config = { ...CONFIG, poll: { backoffFactor: 0.5, maxDelayMs: 10, initialDelayMs: 100 } };

    // Act
    const act = (): unknown => new RedshiftEngine(config, new RedshiftDataClient({}));

    // Assess
    expect(act).toThrow(/maxDelayMs must be .*>= initialDelayMs.*backoffFactor must be a number >= 1/);
  });
});

describe('Running a step as one transaction', () => {
  it('sends all statements of a step in one BatchExecuteStatement with their parameters bound', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    redshift.on(DescribeStatementCommand).resolvesOnce({ Id: 'batch-1', Status: 'STARTED' }).resolves({ Id: 'batch-1', Status: 'FINISHED' });
    const statements: Statement[] = [
      { ...STEP[0]!, params: { as_of: '2024-01-02 00:00:00', batch_id: '2024-01-02' } },
      { ...STEP[1]!, params: { batch_id: '2024-01-02' } },
      { ...STEP[2]!, params: { batch_id: '2024-01-02' } },
    ];

    // Act
    await engineWith().transaction(statements);

    // Assess
    const calls = redshift.commandCalls(BatchExecuteStatementCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      WorkgroupName: CONFIG.workgroupName,
      Database: CONFIG.database,
      SecretArn: CONFIG.secretArn,
      Sqls: STEP.map((s) => s.sql),
      Parameters: [
        { name: 'as_of', value: '2024-01-02 00:00:00' },
        { name: 'batch_id', value: '2024-01-02' },
      ],
    });
    expect(redshift.commandCalls(DescribeStatementCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'batch-1' }, { Id: 'batch-1' }]);
    expect(redshift.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  });

  it('sends nothing for an empty step', async () => {
    // Prepare
    const engine = engineWith();

    // Act
    await engine.transaction([]);

    // Assess
    expect(redshift.calls()).toHaveLength(0);
  });

  it('renames a parameter that a later statement binds to another value, so steps can send per-table rows in one batch', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-r' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-r', Status: 'FINISHED' });
    const ledger = "insert into audit.table_loads (batch_id, table_name) values (:batch_id, :table_name)";
    const statements: Statement[] = [
      { label: 'ledger customers', sql: ledger, params: { batch_id: '2024-01-02', table_name: 'customers' } },
      { label: 'ledger orders', sql: ledger, params: { batch_id: '2024-01-02', table_name: 'orders' } },
      { label: 'ledger payments', sql: ledger, params: { batch_id: '2024-01-02', table_name: 'payments' } },
    ];

    // Act
    await engineWith().transaction(statements);

    // Assess
    const input = redshift.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input;
    expect(input.Sqls).toEqual([
      ledger,
      'insert into audit.table_loads (batch_id, table_name) values (:batch_id, :s2_table_name)',
      'insert into audit.table_loads (batch_id, table_name) values (:batch_id, :s3_table_name)',
    ]);
    expect(input.Parameters).toEqual([
      { name: 'batch_id', value: '2024-01-02' },
      { name: 'table_name', value: 'customers' },
      { name: 's2_table_name', value: 'orders' },
      { name: 's3_table_name', value: 'payments' },
    ]);
  });

  it('renames only real placeholders: casts, string literals, quoted identifiers and comments stay as written', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-s' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-s', Status: 'FINISHED' });
    const tricky = [
      "select :run_id::varchar as run_id, ':run_id' as text, 'it''s :run_id' as quoted, 'c:\\\\' as path,",
      '  "col:run_id" as ident, $$ :run_id $$ as body -- :run_id in a comment',
      '  /* :run_id in a block */ from audit.runs where run_id = :run_id',
    ].join('\n');
    const statements: Statement[] = [
      { label: 'first', sql: 'delete from audit.runs where run_id = :run_id', params: { run_id: 'r-1' } },
      { label: 'second', sql: tricky, params: { run_id: 'r-2' } },
    ];

    // Act
    await engineWith().transaction(statements);

    // Assess
    const input = redshift.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input;
    expect(input.Sqls![1]).toBe(
      tricky.replace('select :run_id::varchar', 'select :s2_run_id::varchar').replace('where run_id = :run_id', 'where run_id = :s2_run_id'),
    );
    expect(input.Parameters).toEqual([
      { name: 'run_id', value: 'r-1' },
      { name: 's2_run_id', value: 'r-2' },
    ]);
  });

  it('picks a free name when the renamed one is already taken by a real parameter', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-t' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-t', Status: 'FINISHED' });
    const statements: Statement[] = [
      { sql: 'select :x, :s2_x', params: { x: 'a', s2_x: 'b' } },
      { sql: 'select :x', params: { x: 'c' } },
    ];

    // Act
    await engineWith().transaction(statements);

    // Assess
    const input = redshift.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input;
    expect(input.Sqls).toEqual(['select :x, :s2_x', 'select :s2_x_2']);
    expect(input.Parameters).toEqual([
      { name: 'x', value: 'a' },
      { name: 's2_x', value: 'b' },
      { name: 's2_x_2', value: 'c' },
    ]);
  });

  it('does not send a parameter the statement does not reference (the Data API refuses unreferenced ones)', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-u' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-u', Status: 'FINISHED' });

    // Act
    await engineWith().transaction([{ sql: 'delete from staging.orders -- keeps :batch_id for later', params: { batch_id: 'b' } }]);

    // Assess
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input).not.toHaveProperty('Parameters');
  });

  it('refuses a statement that uses a parameter it gives no value for, before sending anything', async () => {
    // Prepare
    const statements: Statement[] = [
      { label: 'has it', sql: 'select :run_id', params: { run_id: 'r-1' } },
      { label: 'borrows it', sql: 'delete from audit.runs where run_id = :run_id' },
    ];

    // Act
    const error = await rejectionOf(engineWith().transaction(statements));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toMatch(/\(borrows it\) uses :run_id but gives it no value/);
    expect(redshift.calls()).toHaveLength(0);
  });

  it('refuses more statements than one batch can hold', async () => {
    // Prepare
    const statements = Array.from({ length: 41 }, (_, i) => ({ sql: `select ${i}` }));

    // Act
    const error = await rejectionOf(engineWith().transaction(statements));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toMatch(/41 statements exceeds .* 40/);
    expect(redshift.calls()).toHaveLength(0);
  });

  it('names the failing sub-statement and Redshift\'s message when the batch FAILED', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-2' });
    redshift.on(DescribeStatementCommand).resolves({
      Id: 'batch-2',
      Status: 'FAILED',
      Error: 'ERROR: relation "staging.customers" does not exist',
      SubStatements: [
        { Id: 'batch-2:1', Status: 'FINISHED', QueryString: STEP[0]!.sql },
        { Id: 'batch-2:2', Status: 'FAILED', Error: 'ERROR: relation "staging.customers" does not exist', QueryString: STEP[1]!.sql },
        { Id: 'batch-2:3', Status: 'ABORTED', QueryString: STEP[2]!.sql },
      ],
    });

    // Act
    const error = await rejectionOf(engineWith().transaction(STEP));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toBe(
      'warehouse statement failed (insert new versions, statement 2 of 3): ERROR: relation "staging.customers" does not exist',
    );
    expect((error as WarehouseStatementError).statement).toBe(STEP[1]!.sql);
  });

  it('reports an ABORTED batch as an aborted statement', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-3' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-3', Status: 'ABORTED' });

    // Act
    const error = await rejectionOf(engineWith().transaction(STEP));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toMatch(/^warehouse statement aborted/);
  });

  it('waits with exponential backoff capped at the maximum delay', async () => {
    // Prepare
    vi.useFakeTimers();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-4' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-4', Status: 'STARTED' });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    const engine = engineWith({ initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 400, timeoutMs: 60_000 });
    const describes = (): number => redshift.commandCalls(DescribeStatementCommand).length;

    // Act
    const running = engine.transaction(STEP).catch((error: unknown) => error);
    const seen: number[] = [];
    let now = 0;
    for (const at of [99, 100, 299, 300, 699, 700, 1099, 1100]) {
      await vi.advanceTimersByTimeAsync(at - now);
      now = at;
      seen.push(describes());
    }
    await vi.advanceTimersByTimeAsync(60_000);
    await running;

    // Assess: polls at 100, 300 (+200), 700 (+400), 1100 (+400, capped)
    expect(seen).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
  });

  it('cancels the statement and throws WarehouseTimeoutError when the deadline passes', async () => {
    // Prepare
    vi.useFakeTimers();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-5' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-5', Status: 'STARTED' });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    const engine = engineWith({ initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 1_000, timeoutMs: 5_000 });

    // Act
    const running = rejectionOf(engine.transaction(STEP));
    await vi.advanceTimersByTimeAsync(4_999);
    const cancelsBeforeDeadline = redshift.commandCalls(CancelStatementCommand).length;
    await vi.advanceTimersByTimeAsync(1);
    const error = await running;

    // Assess
    expect(cancelsBeforeDeadline).toBe(0);
    expect(error).toBeInstanceOf(WarehouseTimeoutError);
    expect(error.message).toMatch(/batch-5 .* did not finish within 5 s \(last status STARTED\); it was cancelled/);
    expect(redshift.commandCalls(CancelStatementCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'batch-5' }]);
  });

  it('cancels at the step deadline when it comes before the statement timeout, so the batch never commits after the Lambda dies', async () => {
    // Prepare
    vi.useFakeTimers();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-7' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-7', Status: 'STARTED' });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    const engine = engineWith({ initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 1_000, timeoutMs: 600_000 });
    engine.setDeadline(Date.now() + 2_000);

    // Act
    const running = rejectionOf(engine.transaction(STEP));
    await vi.advanceTimersByTimeAsync(2_000);
    const error = await running;

    // Assess
    expect(error).toBeInstanceOf(WarehouseTimeoutError);
    expect(error.message).toMatch(/batch-7 .* was still running at the step's deadline .*; it was cancelled/);
    expect(redshift.commandCalls(CancelStatementCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'batch-7' }]);
  });

  it('polls again after a transient InternalServerException instead of failing a statement that may still commit', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-8' });
    redshift
      .on(DescribeStatementCommand)
      .rejectsOnce(Object.assign(new Error('Internal server error'), { name: 'InternalServerException' }))
      .resolves({ Id: 'batch-8', Status: 'FINISHED' });

    // Act
    await engineWith().transaction(STEP);

    // Assess
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(2);
  });

  it('submits nothing once the step deadline has passed', async () => {
    // Prepare
    const engine = engineWith();
    engine.setDeadline(Date.now() - 1);

    // Act
    const error = await rejectionOf(engine.transaction(STEP));

    // Assess
    expect(error).toBeInstanceOf(WarehouseTimeoutError);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });

  it('still throws WarehouseTimeoutError when the cancel itself fails', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-6' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-6', Status: 'PICKED' });
    redshift.on(CancelStatementCommand).rejects(new ValidationException({ message: 'Could not cancel a query that is already in FINISHED state', $metadata: {} }));

    // Act
    const error = await rejectionOf(engineWith({ timeoutMs: 1 }).transaction(STEP));

    // Assess
    expect(error).toBeInstanceOf(WarehouseTimeoutError);
    expect(error.message).toMatch(/cancelling it failed \(Could not cancel/);
  });

  it.each([
    ['ThrottlingException', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })],
    ['ActiveStatementsExceededException', new ActiveStatementsExceededException({ message: 'Active statements exceeded the allowed quota (500).', $metadata: {} })],
    ['ActiveSessionsExceededException', new ActiveSessionsExceededException({ message: 'Active sessions exceeded', $metadata: {} })],
  ])('turns %s on submission into WarehouseThrottledError', async (name, thrown) => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).rejects(thrown);

    // Act
    const error = await rejectionOf(engineWith().transaction(STEP));

    // Assess
    expect(error).toBeInstanceOf(WarehouseThrottledError);
    expect(error.name).toBe('WarehouseThrottledError');
    expect(error.message).toContain(name);
    expect(error.cause).toBe(thrown);
  });

  it('keeps polling when DescribeStatement itself is throttled', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-7' });
    redshift
      .on(DescribeStatementCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Id: 'batch-7', Status: 'FINISHED' });

    // Act
    await engineWith().transaction(STEP);

    // Assess
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(2);
  });

  it('reports a request the Data API rejects as a statement error carrying the SQL', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).rejects(new ValidationException({ message: 'Parameter "x" is not used', $metadata: {} }));

    // Act
    const error = await rejectionOf(engineWith().transaction(STEP));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toMatch(/rejected the statement \(ValidationException\): Parameter "x" is not used/);
    expect((error as WarehouseStatementError).statement).toContain(STEP[2]!.sql);
  });

  it('lets other AWS errors through under their own name', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized to perform redshift-data:BatchExecuteStatement'), { name: 'AccessDeniedException' });
    redshift.on(BatchExecuteStatementCommand).rejects(denied);

    // Act
    const error = await rejectionOf(engineWith().transaction(STEP));

    // Assess
    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('Querying', () => {
  it('binds parameters by name and leaves the SQL text unchanged', async () => {
    // Prepare
    const sql = 'select count(*) as n from audit.batches where batch_id = :batch_id and attempts < :max_attempts and forced = :forced';
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'q-1' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'q-1', Status: 'FINISHED', HasResultSet: true });
    redshift.on(GetStatementResultCommand).resolves({ ColumnMetadata: [{ name: 'n', typeName: 'int8' }], Records: [[{ longValue: 0 }]] });

    // Act
    await engineWith().query({ sql, params: { batch_id: "2024-01-01' or '1'='1", max_attempts: 3, forced: false } });

    // Assess
    const input = redshift.commandCalls(ExecuteStatementCommand)[0]!.args[0].input;
    expect(input.Sql).toBe(sql);
    expect(input.Parameters).toEqual([
      { name: 'batch_id', value: "2024-01-01' or '1'='1" },
      { name: 'max_attempts', value: '3' },
      { name: 'forced', value: 'false' },
    ]);
  });

  it.each([
    ['NULL', null, /:batch_id \(pending batch\) is NULL: .*cannot bind NULL/],
    ['undefined', undefined, /:batch_id \(pending batch\) is NULL/],
    ['an empty string', '', /:batch_id \(pending batch\) is '': .*empty string/],
    ['NaN', Number.NaN, /:batch_id \(pending batch\) is NaN/],
  ])('refuses %s as a parameter value without calling the Data API', async (_what, value, message) => {
    // Prepare
    const statement = { label: 'pending batch', sql: 'select 1 where :batch_id is not null', params: { batch_id: value as never } };

    // Act
    const error = await rejectionOf(engineWith().query(statement));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toMatch(message);
    expect(redshift.calls()).toHaveLength(0);
  });

  it('reads every page of the result and maps each field type to a row value', async () => {
    // Prepare
    const columns = [
      { name: 'batch_id', typeName: 'varchar' },
      { name: 'rows_in', typeName: 'int8' },
      { name: 'tests', typeName: 'int4' },
      { name: 'ratio', typeName: 'float8' },
      { name: 'is_done', typeName: 'bool' },
      { name: 'revenue', typeName: 'numeric' },
    ];
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'q-2' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'q-2', Status: 'FINISHED', HasResultSet: true });
    redshift
      .on(GetStatementResultCommand)
      .resolvesOnce({
        ColumnMetadata: columns,
        Records: [[{ stringValue: '2024-01-01' }, { longValue: 120 }, { longValue: 7 }, { doubleValue: 0.25 }, { booleanValue: true }, { stringValue: '10.50' }]],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        ColumnMetadata: columns,
        Records: [[{ stringValue: '2024-01-02' }, { longValue: 80 }, { longValue: 7 }, { doubleValue: 0.5 }, { booleanValue: false }, { isNull: true }]],
        NextToken: 'page-3',
      })
      .resolvesOnce({
        ColumnMetadata: columns,
        Records: [[{ isNull: true }, { isNull: true }, { longValue: 0 }, { isNull: true }, { isNull: true }, { isNull: true }]],
      });

    // Act
    const rows = await engineWith().query({ sql: 'select * from audit.batch_summary' });

    // Assess
    expect(redshift.commandCalls(GetStatementResultCommand).map((c) => c.args[0].input)).toEqual([
      { Id: 'q-2' },
      { Id: 'q-2', NextToken: 'page-2' },
      { Id: 'q-2', NextToken: 'page-3' },
    ]);
    expect(rows).toEqual([
      { batch_id: '2024-01-01', rows_in: '120', tests: 7, ratio: 0.25, is_done: true, revenue: '10.50' },
      { batch_id: '2024-01-02', rows_in: '80', tests: 7, ratio: 0.5, is_done: false, revenue: null },
      { batch_id: null, rows_in: null, tests: 0, ratio: null, is_done: null, revenue: null },
    ]);
  });

  it('returns no rows without fetching a result when the statement has no result set', async () => {
    // Prepare
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'q-3' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'q-3', Status: 'FINISHED', HasResultSet: false });

    // Act
    const rows = await engineWith().query({ sql: 'analyze dw.fact_order_items' });

    // Assess
    expect(rows).toEqual([]);
    expect(redshift.commandCalls(GetStatementResultCommand)).toHaveLength(0);
    // The Data API refuses an empty Parameters list, so a statement without parameters sends none.
    expect(redshift.commandCalls(ExecuteStatementCommand)[0]!.args[0].input).not.toHaveProperty('Parameters');
  });

  it('reports a failed query with its label and Redshift\'s message', async () => {
    // Prepare
    const statement = { label: 'freshness', sql: 'select max(updated_at) from staging.orderz' };
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'q-4' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'q-4', Status: 'FAILED', Error: 'ERROR: relation "staging.orderz" does not exist' });

    // Act
    const error = await rejectionOf(engineWith().query(statement));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toBe('warehouse statement failed (freshness): ERROR: relation "staging.orderz" does not exist');
    expect((error as WarehouseStatementError).statement).toBe(statement.sql);
  });
});

describe('Loading parquet from the lake', () => {
  it('copies the batch folder\'s data files (not its _manifest.json) into the table with an explicit column list', () => {
    // Prepare
    const engine = engineWith();

    // Act
    const statement = engine.loadParquet('staging.customers', ['customer_id', 'email', 'updated_at'], 'silver/customers/batch_id=2024-01-01');

    // Assess
    expect(statement.sql).toBe(
      'copy "staging"."customers" ("customer_id", "email", "updated_at") ' +
        "from 's3://ecomdw-dev-lake/silver/customers/batch_id=2024-01-01/part-' " +
        "iam_role 'arn:aws:iam::123456789012:role/ecomdw-dev-redshift-copy' format as parquet",
    );
    expect(statement.params).toBeUndefined();
  });

  it('joins the step transaction like any other statement', async () => {
    // Prepare
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-8' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 'batch-8', Status: 'FINISHED' });
    const engine = engineWith();
    const load = engine.loadParquet('staging.orders', ['order_id'], 'quarantine/orders/batch_id=2024-01-01');

    // Act
    await engine.transaction([{ sql: 'truncate staging.orders' }, load]);

    // Assess
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0]!.args[0].input.Sqls).toEqual(['truncate staging.orders', load.sql]);
  });

  it.each([
    "silver/customers/batch_id=2024-01-01' iam_role 'arn:aws:iam::999999999999:role/evil",
    'raw/customers/batch_id=2024-01-01',
    'silver/customers/batch_id=2024-01-01/',
    'silver/customers/batch_id=',
    'silver/Customers/batch_id=2024-01-01',
    'silver/customers/../orders/batch_id=2024-01-01',
    's3://other-bucket/silver/customers/batch_id=2024-01-01',
    `silver/customers/batch_id=${'x'.repeat(65)}`,
  ])('refuses the lake prefix %j with a ConfigError', (prefix) => {
    // Prepare
    const engine = engineWith();

    // Act
    const act = (): unknown => engine.loadParquet('staging.customers', ['customer_id'], prefix);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/lake prefix/);
  });

  it.each(['staging.customers; drop table dw.fact_order_items', 'Staging.Customers', 'a.b.c'])(
    'refuses the table name %j with a ConfigError',
    (table) => {
      // Prepare
      const engine = engineWith();

      // Act
      const act = (): unknown => engine.loadParquet(table, ['customer_id'], 'silver/customers/batch_id=1');

      // Assess
      expect(act).toThrow(ConfigError);
    },
  );
});
