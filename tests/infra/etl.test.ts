import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSqlTemplate } from '../../functions/core/sql/templates.js';
import { actionsOf, installMocks, ofType, one, resourcesOf, roleStatements, settle, valueOf } from './harness.js';

await installMocks();
const { Etl } = await import('../../infra/etl.js');

const SCRIPT = fileURLToPath(new URL('./fixtures/glue/normalize_job.py', import.meta.url));
const SQL_ROOT = fileURLToPath(new URL('../../sql', import.meta.url));
const CONTRACT_PATH = fileURLToPath(new URL('../../functions/core/contract.json', import.meta.url));
const LAKE = 'arn:aws:s3:::lake-bucket';
const ARTIFACTS = 'arn:aws:s3:::artifacts-bucket';

describe('Etl', () => {
  let etl: InstanceType<typeof Etl>;

  beforeAll(async () => {
    // Act
    etl = new Etl('ecomdw-test', {
      scriptPath: SCRIPT,
      sqlRoot: SQL_ROOT,
      contractPath: CONTRACT_PATH,
      artifactsBucketName: 'artifacts-bucket',
      artifactsBucketArn: ARTIFACTS,
      lakeBucketName: 'lake-bucket',
      lakeBucketArn: LAKE,
      lakeKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/lake',
      workerType: 'G.1X',
      numberOfWorkers: 2,
      maxConcurrentRuns: 6,
      timeoutMinutes: 60,
      logRetentionDays: 30,
    });
    await valueOf(etl.jobArn);
    await settle();
  });

  it('runs a Glue 5.0 PySpark job from the uploaded script', () => {
    const job = one('aws:glue/job:Job', '-normalize');
    expect(job.inputs).toMatchObject({
      glueVersion: '5.0',
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: 's3://artifacts-bucket/glue/normalize_job.py' },
      workerType: 'G.1X',
      numberOfWorkers: 2,
      maxRetries: 0,
    });
  });

  it('allows one concurrent run per source table', () => {
    expect(one('aws:glue/job:Job', '-normalize').inputs.executionProperty.maxConcurrentRuns).toBeGreaterThanOrEqual(6);
  });

  it('passes UTC, no bookmarks, the lake bucket and the SQL prefix as default arguments', async () => {
    expect(one('aws:glue/job:Job', '-normalize').inputs.defaultArguments).toMatchObject({
      '--conf': 'spark.sql.session.timeZone=UTC',
      '--job-bookmark-option': 'job-bookmark-disable',
      '--lake_bucket': 'lake-bucket',
      '--sql_prefix': 's3://artifacts-bucket/glue/sql/',
    });
    expect(await valueOf(etl.sqlPrefix)).toBe('s3://artifacts-bucket/glue/sql/');
  });

  it('sends the job\'s logs to its own groups with the stack\'s retention, the Glue 5.0 way', () => {
    // Glue 5.0 ignores --enable-continuous-cloudwatch-log and --continuous-log-logGroup (Glue 4 and earlier);
    // --custom-logGroup-prefix P sends its logs to P/output and P/error instead of /aws-glue/jobs/*.
    const args = one('aws:glue/job:Job', '-normalize').inputs.defaultArguments;
    expect(args).not.toHaveProperty('--enable-continuous-cloudwatch-log');
    expect(args).not.toHaveProperty('--continuous-log-logGroup');
    const prefix = args['--custom-logGroup-prefix'];
    expect(prefix).toBe('/aws-glue/ecomdw/ecomdw-test');
    const groups = ofType('aws:cloudwatch/logGroup:LogGroup').map((g) => [g.inputs.name, g.inputs.retentionInDays]);
    expect(groups.sort()).toEqual([
      [`${prefix}/error`, 30],
      [`${prefix}/output`, 30],
    ]);
  });

  it('uploads the script, the source contract, every normalization model rendered for Spark (its templates filled in), and the seed CSVs', () => {
    const objects = ofType('aws:s3/bucketObjectv2:BucketObjectv2');
    const keys = objects.map((o) => o.inputs.key).sort();
    const sqlFiles = readdirSync(`${SQL_ROOT}/normalize`).filter((f) => f.endsWith('.sql') && !isSqlTemplate(f));
    expect(sqlFiles).toHaveLength(6);
    const seeds = readdirSync(`${SQL_ROOT}/seeds`).filter((f) => f.endsWith('.csv'));
    expect(keys).toEqual(
      ['glue/normalize_job.py', 'glue/sql/contract.json', ...sqlFiles.map((f) => `glue/sql/normalize/${f}`), ...seeds.map((f) => `glue/sql/seeds/${f}`)].sort(),
    );
    for (const o of objects.filter((o) => o.inputs.key.endsWith('.sql'))) {
      expect(o.inputs.content).not.toMatch(/\{\{/);
      expect(o.inputs.bucket).toBe('artifacts-bucket');
    }
  });

  it('lets the job read raw/ and write only silver/ and quarantine/', () => {
    const statements = roleStatements('-glue-role');
    const lakeWrites = statements.filter((s) => actionsOf(s).some((a) => /^s3:(Put|Delete)/.test(a))).flatMap(resourcesOf);
    expect(lakeWrites.sort()).toEqual([`${LAKE}/quarantine/*`, `${LAKE}/silver/*`]);
    const reads = statements.filter((s) => actionsOf(s).includes('s3:GetObject')).flatMap(resourcesOf);
    expect(reads.sort()).toEqual([`${ARTIFACTS}/glue/*`, `${LAKE}/quarantine/*`, `${LAKE}/raw/*`, `${LAKE}/silver/*`]);
    const lists = statements.filter((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(lists.flatMap((s) => s.Condition?.StringLike?.['s3:prefix'] as string[]).sort()).toEqual(
      ['glue/', 'glue/*', 'quarantine/', 'quarantine/*', 'raw/', 'raw/*', 'silver/', 'silver/*'].sort(),
    );
  });

  it('fails before creating anything when the script is missing', () => {
    expect(() => new Etl('broken', { ...argsWith({ scriptPath: '/nonexistent/normalize_job.py' }) })).toThrow(/Glue job script not found/);
  });
});

function argsWith(overrides: { scriptPath: string }) {
  return {
    scriptPath: overrides.scriptPath,
    sqlRoot: SQL_ROOT,
    contractPath: CONTRACT_PATH,
    artifactsBucketName: 'a',
    artifactsBucketArn: ARTIFACTS,
    lakeBucketName: 'l',
    lakeBucketArn: LAKE,
    lakeKeyArn: 'k',
    workerType: 'G.1X',
    numberOfWorkers: 2,
    maxConcurrentRuns: 6,
    timeoutMinutes: 60,
    logRetentionDays: 30,
  };
}
