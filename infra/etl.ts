import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { renderSql } from '../functions/core/sql/render.js';
import { readModelFrom } from '../functions/core/sql/files.js';
import { isSqlTemplate } from '../functions/core/sql/templates.js';
import { LAKE_PREFIXES } from './lake.js';
import { awsContext, kmsViaS3Statement, listPrefixesStatement, objectArns, roleWithPolicy, serviceTrustPolicy } from './policies.js';

/** Where the job's files live in the artifacts bucket. */
export const GLUE_ARTIFACTS_PREFIX = 'glue/';

/** Inputs of the ETL layer. */
export interface EtlArgs {
  /** The PySpark script in the repository (functions/glue/normalize_job.py). */
  readonly scriptPath: string;
  /** The repository's sql/ folder: normalize/*.sql are rendered for Spark, seeds/*.csv uploaded as they are. */
  readonly sqlRoot: string;
  /** functions/core/contract.json: the source contract and raw-file rules the job reads. */
  readonly contractPath: string;
  readonly artifactsBucketName: pulumi.Input<string>;
  readonly artifactsBucketArn: pulumi.Input<string>;
  readonly lakeBucketName: pulumi.Input<string>;
  readonly lakeBucketArn: pulumi.Input<string>;
  readonly lakeKeyArn: pulumi.Input<string>;
  readonly workerType: pulumi.Input<string>;
  readonly numberOfWorkers: pulumi.Input<number>;
  /** At least one run per source table: the state machine's Map starts them together. */
  readonly maxConcurrentRuns: pulumi.Input<number>;
  readonly timeoutMinutes: pulumi.Input<number>;
  readonly logRetentionDays: pulumi.Input<number>;
}

/** The files the job needs, read from the repository when the program runs. */
export interface JobFile {
  /** Key under the Glue artifacts prefix. */
  readonly key: string;
  readonly content?: string;
  readonly sourcePath?: string;
}

/**
 * The per-table normalization job (Glue 5.0, PySpark): its script, the
 * normalization SQL rendered for Spark and the seed CSVs uploaded from the repo,
 * and a role that reads raw/ and writes silver/ and quarantine/ only.
 */
export class Etl extends pulumi.ComponentResource {
  public readonly jobName: pulumi.Output<string>;
  public readonly jobArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  /** `s3://<artifacts>/glue/sql/`, the job's `--sql_prefix`. */
  public readonly sqlPrefix: pulumi.Output<string>;

  public constructor(name: string, args: EtlArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ecomdw:etl:Etl', name, {}, opts);
    const context = awsContext(this);
    const files = glueJobFiles(args);

    for (const file of files) {
      new aws.s3.BucketObjectv2(
        `${name}-${file.key.replace(/[^A-Za-z0-9]+/g, '-')}`,
        {
          bucket: args.artifactsBucketName,
          key: `${GLUE_ARTIFACTS_PREFIX}${file.key}`,
          ...(file.content === undefined ? { source: new pulumi.asset.FileAsset(file.sourcePath ?? '') } : { content: file.content }),
          contentType: file.key.endsWith('.py') ? 'text/x-python' : file.key.endsWith('.csv') ? 'text/csv' : file.key.endsWith('.json') ? 'application/json' : 'text/plain',
        },
        { parent: this },
      );
    }
    const scriptLocation = pulumi.interpolate`s3://${args.artifactsBucketName}/${GLUE_ARTIFACTS_PREFIX}${path.basename(args.scriptPath)}`;
    this.sqlPrefix = pulumi.interpolate`s3://${args.artifactsBucketName}/${GLUE_ARTIFACTS_PREFIX}sql/`;

    // Glue 5.0 writes to <prefix>/output (stdout, stderr) and <prefix>/error (driver, executors, Spark)
    // when given --custom-logGroup-prefix; the Glue 4 continuous-logging arguments are ignored by it.
    const logGroupPrefix = `/aws-glue/ecomdw/${name}`;
    for (const stream of ['output', 'error'] as const) {
      new aws.cloudwatch.LogGroup(`${name}-normalize-${stream}-logs`, { name: `${logGroupPrefix}/${stream}`, retentionInDays: args.logRetentionDays }, { parent: this });
    }
    const glueLogGroups = pulumi.interpolate`arn:${context.partition}:logs:${context.region}:${context.accountId}:log-group:/aws-glue/`;
    const role = roleWithPolicy(
      `${name}-glue-role`,
      {
        description: 'Glue normalization job: reads raw/, writes silver/ and quarantine/',
        assumeRolePolicy: serviceTrustPolicy(['glue.amazonaws.com']),
        statements: [
          { Sid: 'ReadJobArtifacts', Effect: 'Allow', Action: ['s3:GetObject'], Resource: objectArns(args.artifactsBucketArn, [GLUE_ARTIFACTS_PREFIX]) },
          listPrefixesStatement('ListJobArtifacts', args.artifactsBucketArn, [GLUE_ARTIFACTS_PREFIX]),
          { Sid: 'ReadRaw', Effect: 'Allow', Action: ['s3:GetObject'], Resource: objectArns(args.lakeBucketArn, [LAKE_PREFIXES.raw]) },
          listPrefixesStatement('ListRaw', args.lakeBucketArn, [LAKE_PREFIXES.raw]),
          {
            Sid: 'WriteNormalized',
            Effect: 'Allow',
            // Spark's committer reads back, overwrites and cleans up what it writes: Get and Delete are part of writing.
            Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
            Resource: objectArns(args.lakeBucketArn, [LAKE_PREFIXES.silver, LAKE_PREFIXES.quarantine]),
          },
          listPrefixesStatement('ListNormalized', args.lakeBucketArn, [LAKE_PREFIXES.silver, LAKE_PREFIXES.quarantine]),
          { Sid: 'LocateBuckets', Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [args.lakeBucketArn, args.artifactsBucketArn] },
          kmsViaS3Statement('UseLakeKeyThroughS3', args.lakeKeyArn, ['kms:Decrypt', 'kms:GenerateDataKey'], context.region),
          {
            Sid: 'WriteJobLogs',
            Effect: 'Allow',
            // The job's own groups (<prefix>/output, <prefix>/error) lie under /aws-glue/.
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [pulumi.interpolate`${glueLogGroups}*`, pulumi.interpolate`${glueLogGroups}*:log-stream:*`],
          },
        ],
      },
      this,
    );

    const job = new aws.glue.Job(
      `${name}-normalize`,
      {
        description: 'ecomdw: normalize one table of one batch, raw -> silver + quarantine',
        roleArn: role.arn,
        glueVersion: '5.0',
        command: { name: 'glueetl', scriptLocation, pythonVersion: '3' },
        workerType: args.workerType,
        numberOfWorkers: args.numberOfWorkers,
        timeout: args.timeoutMinutes,
        // Step Functions owns retries (with backoff on throttling); a Glue retry would hide the failure from it.
        maxRetries: 0,
        executionProperty: { maxConcurrentRuns: args.maxConcurrentRuns },
        defaultArguments: {
          '--job-language': 'python',
          '--conf': 'spark.sql.session.timeZone=UTC',
          // Batches are explicit (--batch_id); bookmarks would silently skip re-runs of a forced batch.
          '--job-bookmark-option': 'job-bookmark-disable',
          '--lake_bucket': args.lakeBucketName,
          '--sql_prefix': this.sqlPrefix,
          '--custom-logGroup-prefix': logGroupPrefix,
        },
      },
      { parent: this },
    );

    this.jobName = job.name;
    this.jobArn = job.arn;
    this.roleArn = role.arn;
    this.registerOutputs({ jobName: this.jobName, jobArn: this.jobArn, roleArn: this.roleArn, sqlPrefix: this.sqlPrefix });
  }
}

/**
 * The script, and under sql/ the contract, normalize/*.sql rendered for Spark and
 * seeds/*.csv (keys relative to the Glue artifacts prefix; `sql/` is the job's
 * `--sql_prefix`); fails loudly on a missing file or a bad macro. tests/glueJob.test.ts
 * lays the same files out in a folder to run the job locally.
 */
export function glueJobFiles(args: Pick<EtlArgs, 'scriptPath' | 'sqlRoot' | 'contractPath'>): JobFile[] {
  const { scriptPath, sqlRoot, contractPath } = args;
  if (!existsSync(scriptPath)) throw new Error(`Glue job script not found: ${scriptPath}`);
  if (!existsSync(contractPath)) throw new Error(`source contract not found: ${contractPath}`);
  const normalizeDir = path.join(sqlRoot, 'normalize');
  // A model's templates (sql/normalize/_*.sql) are filled in here; they are not uploaded themselves.
  const sql = sortedFiles(normalizeDir, '.sql')
    .filter((file) => !isSqlTemplate(file))
    .map((file) => ({
      key: `sql/normalize/${file}`,
      content: renderSql(readModelFrom(sqlRoot, `normalize/${file}`), 'spark', `sql/normalize/${file}`),
    }));
  if (sql.length === 0) throw new Error(`no normalization SQL found in ${normalizeDir}`);
  const seedsDir = path.join(sqlRoot, 'seeds');
  const seeds = (existsSync(seedsDir) ? sortedFiles(seedsDir, '.csv') : []).map((file) => ({
    key: `sql/seeds/${file}`,
    sourcePath: path.join(seedsDir, file),
  }));
  return [{ key: path.basename(scriptPath), sourcePath: scriptPath }, { key: 'sql/contract.json', sourcePath: contractPath }, ...sql, ...seeds];
}

function sortedFiles(dir: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(extension)).sort();
}
