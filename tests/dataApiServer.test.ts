import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedshiftEngine } from '../functions/core/engine/redshiftEngine.js';
import { WarehouseStatementError, WarehouseTimeoutError } from '../functions/core/errors.js';
import { startPostgres, type OfflinePostgres } from '../offline/postgres/embeddedPostgres.js';
import { LocalFolderObjects } from '../offline/postgres/parquetCopy.js';
import { DataApiServer } from '../offline/redshiftData/dataApiServer.js';
import { RedshiftSessions } from '../offline/redshiftData/postgresSessions.js';

const TARGET = {
  workgroupName: 'ecomdw-test',
  database: 'ecomdw',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!ecomdw-test-ecomdw_admin-AbCdEf',
};
/** The same target as the API's request fields. */
const ON = { WorkgroupName: TARGET.workgroupName, Database: TARGET.database, SecretArn: TARGET.secretArn };
const COPY_ROLE = 'arn:aws:iam::123456789012:role/ecomdw-test-copy';

let postgres: OfflinePostgres;
let sessions: RedshiftSessions;
let server: DataApiServer;

/** An SDK client signing as one identity (each function of the stack has its own). */
function client(identity = 'ASIAFUNCTIONA'): RedshiftDataClient {
  return new RedshiftDataClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials: { accessKeyId: identity, secretAccessKey: 'x' }, maxAttempts: 1 });
}

function engine(identity?: string): RedshiftEngine {
  return new RedshiftEngine({ ...TARGET, lakeBucket: 'ecomdw-test-lake', copyRoleArn: COPY_ROLE, region: 'eu-west-1', poll: { initialDelayMs: 20, maxDelayMs: 100 } }, client(identity));
}

async function settled(id: string, identity?: string): Promise<{ Status?: string; Error?: string; SubStatements?: { Status?: string; Error?: string }[] }> {
  for (;;) {
    const described = await client(identity).send(new DescribeStatementCommand({ Id: id }));
    if (['FINISHED', 'FAILED', 'ABORTED'].includes(described.Status ?? '')) return described;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  postgres = await startPostgres();
  const connection = await postgres.createDatabase('dataapi');
  sessions = await RedshiftSessions.open({ connection, copyRoleArn: COPY_ROLE, objects: new LocalFolderObjects('ecomdw-test-lake', '/nonexistent') });
  server = await DataApiServer.start({ target: TARGET, sessions, pageRows: 2 });
  await engine().transaction([{ sql: 'create table t (id bigint, name varchar(4))' }]);
});

afterAll(async () => {
  await server?.close();
  await sessions?.close();
  await postgres?.stop();
});

describe('The offline Redshift Data API', () => {
  it('answers at once and runs the statement afterwards: the caller has to poll', async () => {
    // Act
    const { Id } = await client().send(new ExecuteStatementCommand({ ...ON, Sql: 'select pg_sleep(1)' }));
    const first = await client().send(new DescribeStatementCommand({ Id }));
    const last = await settled(Id as string);

    // Assess
    expect(['SUBMITTED', 'STARTED']).toContain(first.Status);
    expect(last.Status).toBe('FINISHED');
  });

  it('runs a batch as one transaction: a failing statement rolls back the ones before it and aborts the ones after', async () => {
    // Act
    const { Id } = await client().send(
      new BatchExecuteStatementCommand({
        ...ON,
        Sqls: [`insert into t values (1, 'ok')`, `insert into t values (2, 'ééé')`, `insert into t values (3, 'no')`],
      }),
    );
    const described = await settled(Id as string);
    const rows = await engine().query({ sql: 'select count(*) as n from t' });

    // Assess: varchar(4) holds 4 bytes, as on Redshift; 'ééé' is 6
    expect(described.Status).toBe('FAILED');
    expect(described.SubStatements?.map((s) => s.Status)).toEqual(['FINISHED', 'FAILED', 'ABORTED']);
    expect(described.SubStatements?.[1]?.Error).toMatch(/^ERROR: value too long for type character varying\(4\)/);
    expect(rows).toEqual([{ n: '0' }]);
  });

  it('lets RedshiftEngine name the failed statement of a step from the sub-statement status', async () => {
    // Act
    const act = engine().transaction([
      { label: 'first', sql: `insert into t values (1, 'a')` },
      { label: 'second', sql: 'insert into missing_table values (1)' },
    ]);

    // Assess
    await expect(act).rejects.toThrow(WarehouseStatementError);
    await expect(act).rejects.toThrow(/second, statement 2 of 2.*relation "missing_table" does not exist/);
  });

  it.each([
    ['a parameter no statement references', { Sql: 'select 1', Parameters: [{ name: 'unused', value: 'x' }] }, /unused is not referenced/],
    ['an empty parameter value', { Sql: 'select :v', Parameters: [{ name: 'v', value: '' }] }, /non-empty string/],
    ['another workgroup', { Sql: 'select 1', WorkgroupName: 'other' }, /workgroup "other" not found/],
    ['a statement over 100 KB', { Sql: `select '${'x'.repeat(102_400)}'` }, /limit is 102400/],
  ])('refuses %s, as the Data API does', async (_case, input, message) => {
    // Act
    const act = client().send(new ExecuteStatementCommand({ ...ON, ...input } as never));

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
  });

  it('refuses more than 40 statements in one batch', async () => {
    // Act
    const act = client().send(new BatchExecuteStatementCommand({ ...ON, Sqls: Array.from({ length: 41 }, () => 'select 1') }));

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('shows a statement to its owner only (the roles allow redshift-data:statement-owner-iam-userid = themselves)', async () => {
    // Prepare
    const { Id } = await client('ASIAFUNCTIONA').send(new ExecuteStatementCommand({ ...ON, Sql: 'select 1' }));

    // Act
    const act = client('ASIAFUNCTIONB').send(new DescribeStatementCommand({ Id }));

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await settled(Id as string, 'ASIAFUNCTIONA')).Status).toBe('FINISHED');
  });

  it('aborts a running statement on CancelStatement', async () => {
    // Prepare
    const { Id } = await client().send(new ExecuteStatementCommand({ ...ON, Sql: 'select pg_sleep(30)' }));
    for (let described = await client().send(new DescribeStatementCommand({ Id })); described.Status !== 'STARTED'; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      described = await client().send(new DescribeStatementCommand({ Id }));
    }

    // Act
    const cancelled = await client().send(new CancelStatementCommand({ Id }));

    // Assess
    expect(cancelled.Status).toBe(true);
    expect(await settled(Id as string)).toMatchObject({ Status: 'ABORTED', Error: expect.stringMatching(/cancelled/) });
  });

  it('lets RedshiftEngine cancel what still runs at the step deadline', async () => {
    // Prepare
    const redshift = engine();
    redshift.setDeadline(Date.now() + 300);

    // Act
    const act = redshift.query({ label: 'slow', sql: 'select pg_sleep(30)' });

    // Assess
    await expect(act).rejects.toThrow(WarehouseTimeoutError);
    await expect(act).rejects.toThrow(/it was cancelled/);
  });

  it('types result fields as the Data API does and pages them; a bigint beyond 2^53 reaches the client rounded', async () => {
    // Prepare
    const before = server.stats.lossyLongValues;

    // Act
    const rows = await engine().query({
      sql: `select 9007199254740993::bigint as big, 7::int as small, 1.5::numeric(18,4) as amount, true as flag, 0.25::float8 as ratio,
                   'a'::varchar as label, null::varchar as nothing
            from generate_series(1, 5)`,
    });

    // Assess: five rows over three pages of two
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({ big: '9007199254740992', small: 7, amount: '1.5000', flag: true, ratio: 0.25, label: 'a', nothing: null });
    expect(server.stats.lossyLongValues - before).toBe(5);
    const { Id } = await client().send(new ExecuteStatementCommand({ ...ON, Sql: 'select 1 as one' }));
    await settled(Id as string);
    const page = await client().send(new GetStatementResultCommand({ Id }));
    expect(page.ColumnMetadata?.map((c) => [c.name, c.typeName])).toEqual([['one', 'int4']]);
  });
});
