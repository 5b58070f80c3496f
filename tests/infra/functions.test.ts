import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, installMocks, ofType, one, resourcesOf, roleStatements, settle, valueOf } from './harness.js';

await installMocks();
const { Functions, HANDLER_NAMES, LAMBDA_SQL_ROOT } = await import('../../infra/functions.js');

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = fileURLToPath(new URL('./fixtures/handlers/probe.ts', import.meta.url));
const WORKGROUP = 'arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/0f0e0d0c-0000-4000-8000-000000000000';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!ecomdw-test-admin-AbCdEf';
const LAKE = 'arn:aws:s3:::lake-bucket';

describe('Functions', () => {
  let functions: InstanceType<typeof Functions>;

  beforeAll(async () => {
    // Act: every handler bundled from the same small fixture (one esbuild pass)
    functions = new Functions('ecomdw-test', {
      entryPoints: Object.fromEntries(HANDLER_NAMES.map((h) => [h, PROBE])) as Record<(typeof HANDLER_NAMES)[number], string>,
      repoRoot: REPO,
      sqlRoot: `${REPO}sql`,
      environment: 'test',
      workgroupName: 'ecomdw-test',
      workgroupArn: WORKGROUP,
      databaseName: 'ecomdw',
      adminSecretArn: SECRET,
      copyRoleArn: 'arn:aws:iam::123456789012:role/copy',
      lakeBucketName: 'lake-bucket',
      lakeBucketArn: LAKE,
      lakeKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/lake',
      queryTimeoutSeconds: 600,
      freshnessJson: '{"orders":{"warnAfterHours":6,"errorAfterHours":24}}',
      logLevel: 'INFO',
      logRetentionDays: 30,
      memoryMb: 512,
      timeoutSeconds: 900,
      runtime: 'nodejs22.x',
      architecture: 'arm64',
    });
    await valueOf(functions.functionArns.recordFailure);
    await settle();
  });

  it('creates one traced function per pipeline step', () => {
    const fns = ofType('aws:lambda/function:Function');
    expect(fns.map((f) => f.name).sort()).toEqual(HANDLER_NAMES.map((h) => `ecomdw-test-${h}`).sort());
    for (const fn of fns) {
      expect(fn.inputs).toMatchObject({ handler: 'index.handler', runtime: 'nodejs22.x', architectures: ['arm64'], tracingConfig: { mode: 'Active' } });
    }
  });

  it('ships the bundle, its source map and the sql/ folder in each archive', async () => {
    for (const fn of ofType('aws:lambda/function:Function')) {
      // Asset fields are promises in the SDK's asset classes.
      const assets = await fn.inputs.code.assets;
      expect(Object.keys(assets).sort()).toEqual(['index.mjs', 'index.mjs.map', 'sql']);
      expect(await assets['index.mjs'].text).toContain('sourceMappingURL=index.mjs.map');
      expect(await assets.sql.path).toBe(`${REPO}sql`);
    }
  });

  it('gives each function the environment the handlers read', () => {
    const env = one('aws:lambda/function:Function', '-loadStaging').inputs.environment.variables;
    expect(env).toEqual({
      ECOMDW_ENGINE: 'redshift',
      ECOMDW_ENVIRONMENT: 'test',
      ECOMDW_SQL_ROOT: LAMBDA_SQL_ROOT,
      ECOMDW_FRESHNESS: '{"orders":{"warnAfterHours":6,"errorAfterHours":24}}',
      REDSHIFT_WORKGROUP: 'ecomdw-test',
      REDSHIFT_DATABASE: 'ecomdw',
      REDSHIFT_SECRET_ARN: SECRET,
      REDSHIFT_COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/copy',
      REDSHIFT_TIMEOUT_SECONDS: '600',
      LAKE_BUCKET: 'lake-bucket',
      POWERTOOLS_SERVICE_NAME: 'ecomdw',
      POWERTOOLS_METRICS_NAMESPACE: 'ecomdw',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('logs each function to its own log group with the configured retention', () => {
    const groups = ofType('aws:cloudwatch/logGroup:LogGroup');
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(HANDLER_NAMES.map((h) => `/ecomdw/test/lambda/${h}`).sort());
    expect(groups.every((g) => g.inputs.retentionInDays === 30)).toBe(true);
    expect(one('aws:lambda/function:Function', '-markBatchDone').inputs.loggingConfig.logGroup).toBe('/ecomdw/test/lambda/markBatchDone');
  });

  it.each(HANDLER_NAMES)('lets %s run statements on its workgroup only and read only its secret', (handler) => {
    const statements = roleStatements(`-${handler}-role`);
    const run = statements.filter((s) => actionsOf(s).some((a) => a === 'redshift-data:ExecuteStatement' || a === 'redshift-data:BatchExecuteStatement'));
    expect(run.flatMap(resourcesOf)).toEqual([WORKGROUP]);
    const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
    expect(secrets.flatMap(resourcesOf)).toEqual([SECRET]);
    const ownStatements = statements.find((s) => s.Sid === 'DataApiOwnStatements');
    expect(ownStatements?.Condition).toEqual({ StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } });
  });

  it('lets discoverBatch list raw/ and read raw/ objects (to hash them for the raw-file ledger), nothing else', () => {
    const statements = roleStatements('-discoverBatch-role');
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf)).toEqual(['s3:ListBucket', 's3:GetObject']);
    expect(s3[0]?.Condition?.StringLike?.['s3:prefix']).toEqual(['raw/', 'raw/*']);
    expect(s3[1] ? resourcesOf(s3[1]) : []).toEqual([`${LAKE}/raw/*`]);
  });

  it('lets loadStaging read silver/ and quarantine/ objects only', () => {
    const statements = roleStatements('-loadStaging-role');
    const reads = statements.filter((s) => actionsOf(s).includes('s3:GetObject')).flatMap(resourcesOf);
    expect(reads.sort()).toEqual([`${LAKE}/quarantine/*`, `${LAKE}/silver/*`]);
    expect(statements.flatMap(actionsOf).filter((a) => /^s3:(Put|Delete)/.test(a))).toEqual([]);
  });

  it.each(['buildDimensions', 'buildFacts', 'buildMarts', 'validateBatch', 'markBatchDone', 'recordFailure'])('gives %s no access to S3, SNS or KMS', (handler) => {
    const actions = roleStatements(`-${handler}-role`).flatMap(actionsOf);
    expect(actions.filter((a) => /^(s3|sns|kms):/.test(a))).toEqual([]);
  });
});
