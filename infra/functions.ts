import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { PIPELINE_HANDLER_NAMES, type PipelineHandlerName } from '../functions/core/pipelineManifest.js';
import { BUNDLE_FILE, bundleHandlers } from './bundle.js';
import { LAKE_PREFIXES } from './lake.js';
import {
  dataApiOwnStatementsStatement,
  kmsViaS3Statement,
  listPrefixesStatement,
  objectArns,
  roleWithPolicy,
  serviceTrustPolicy,
  xrayStatement,
  awsContext,
  type PolicyStatement,
} from './policies.js';

/** What a handler may do in the lake besides the Data API every handler uses. */
interface LakeAccess {
  /** Prefixes it may list. */
  readonly list?: readonly string[];
  /** Prefixes whose objects it may read. */
  readonly read?: readonly string[];
}

/**
 * The pipeline's Lambda handlers (functions/handlers/<name>.ts, each exporting
 * `handler`; the names are the pipeline manifest's) and their access to the lake. Everything else they do goes through
 * the Redshift Data API on their own workgroup.
 */
export const PIPELINE_HANDLERS = {
  // Lists raw/ to find batches, and reads raw objects to hash them for the raw-file
  // ledger (only those whose size or ETag changed); the ledger is in the warehouse.
  discoverBatch: { list: [LAKE_PREFIXES.raw], read: [LAKE_PREFIXES.raw] },
  // Reads silver/<table>/_manifest.json (and quarantine counts); the rows themselves go through COPY.
  loadStaging: { list: [LAKE_PREFIXES.silver, LAKE_PREFIXES.quarantine], read: [LAKE_PREFIXES.silver, LAKE_PREFIXES.quarantine] },
  buildDimensions: {},
  buildFacts: {},
  buildMarts: {},
  validateBatch: {},
  markBatchDone: {},
  recordFailure: {},
} as const satisfies Record<PipelineHandlerName, LakeAccess>;

/** The name of a pipeline handler. */
export type HandlerName = PipelineHandlerName;
/** Every handler name, in pipeline order. */
export const HANDLER_NAMES: readonly HandlerName[] = PIPELINE_HANDLER_NAMES;

/** Where the handlers read the repo's sql/ folder at run time (the archive ships it next to the bundle). */
export const LAMBDA_SQL_ROOT = '/var/task/sql';

/** Inputs of the functions layer. */
export interface FunctionsArgs {
  /** Source file of each handler (functions/handlers/<name>.ts in the program, fixtures in tests). */
  readonly entryPoints: Readonly<Record<HandlerName, string>>;
  /** The repository root (source map paths are relative to it). */
  readonly repoRoot: string;
  /** The repository's sql/ folder, shipped inside every function. */
  readonly sqlRoot: string;
  /** The stack name (ECOMDW_ENVIRONMENT, the metrics dimension). */
  readonly environment: pulumi.Input<string>;
  readonly workgroupName: pulumi.Input<string>;
  readonly workgroupArn: pulumi.Input<string>;
  readonly databaseName: pulumi.Input<string>;
  readonly adminSecretArn: pulumi.Input<string>;
  readonly copyRoleArn: pulumi.Input<string>;
  readonly lakeBucketName: pulumi.Input<string>;
  readonly lakeBucketArn: pulumi.Input<string>;
  readonly lakeKeyArn: pulumi.Input<string>;
  readonly queryTimeoutSeconds: pulumi.Input<number>;
  /** ECOMDW_FRESHNESS. */
  readonly freshnessJson: pulumi.Input<string>;
  readonly logLevel: pulumi.Input<string>;
  readonly logRetentionDays: pulumi.Input<number>;
  readonly memoryMb: pulumi.Input<number>;
  readonly timeoutSeconds: pulumi.Input<number>;
  readonly runtime: pulumi.Input<string>;
  readonly architecture: pulumi.Input<string>;
}

/**
 * One Lambda function per pipeline step, bundled from source by this program
 * (no build step before `pulumi up`), each with its own role: the Data API on
 * its workgroup, the admin secret, its own log group, and its lake access above.
 */
export class Functions extends pulumi.ComponentResource {
  public readonly functionArns: Readonly<Record<HandlerName, pulumi.Output<string>>>;
  public readonly functionNames: Readonly<Record<HandlerName, pulumi.Output<string>>>;

  public constructor(name: string, args: FunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ecomdw:functions:Functions', name, {}, opts);
    const context = awsContext(this);
    // One esbuild pass for all handlers; a failure stops the program before anything is created.
    const bundles = bundleHandlers(args.entryPoints, { workingDir: args.repoRoot });
    const arns: Partial<Record<HandlerName, pulumi.Output<string>>> = {};
    const names: Partial<Record<HandlerName, pulumi.Output<string>>> = {};

    for (const handler of HANDLER_NAMES) {
      const bundle = bundles[handler];
      if (bundle === undefined) throw new Error(`no bundle for Lambda handler ${handler}`);
      const access: LakeAccess = PIPELINE_HANDLERS[handler];
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-${handler}-logs`,
        { name: pulumi.interpolate`/ecomdw/${args.environment}/lambda/${handler}`, retentionInDays: args.logRetentionDays },
        { parent: this },
      );
      const role = roleWithPolicy(
        `${name}-${handler}-role`,
        {
          description: `ecomdw ${handler}: Data API on its workgroup, its secret, its logs${access.list ? ', the lake prefixes it reads' : ''}`,
          assumeRolePolicy: serviceTrustPolicy(['lambda.amazonaws.com']),
          statements: [
            { Sid: 'RunStatementsOnWorkgroup', Effect: 'Allow', Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'], Resource: args.workgroupArn },
            dataApiOwnStatementsStatement(),
            { Sid: 'ReadWarehouseSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: args.adminSecretArn },
            {
              Sid: 'WriteOwnLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:log-stream:*`],
            },
            xrayStatement({ sampling: false }),
            ...lakeStatements(access, args, context.region),
          ],
        },
        this,
      );
      const fn = new aws.lambda.Function(
        `${name}-${handler}`,
        {
          description: `ecomdw pipeline step ${handler}`,
          role: role.arn,
          runtime: args.runtime,
          architectures: [args.architecture],
          handler: 'index.handler',
          code: new pulumi.asset.AssetArchive({
            [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code),
            [`${BUNDLE_FILE}.map`]: new pulumi.asset.StringAsset(bundle.sourceMap),
            sql: new pulumi.asset.FileArchive(args.sqlRoot),
          }),
          memorySize: args.memoryMb,
          timeout: args.timeoutSeconds,
          tracingConfig: { mode: 'Active' },
          loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
          environment: { variables: environmentOf(args) },
        },
        { parent: this },
      );
      arns[handler] = fn.arn;
      names[handler] = fn.name;
    }

    this.functionArns = arns as Record<HandlerName, pulumi.Output<string>>;
    this.functionNames = names as Record<HandlerName, pulumi.Output<string>>;
    this.registerOutputs({ functionArns: this.functionArns, functionNames: this.functionNames });
  }
}

function lakeStatements(access: LakeAccess, args: FunctionsArgs, region: pulumi.Input<string>): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (access.list) statements.push(listPrefixesStatement('ListLakePrefixes', args.lakeBucketArn, access.list));
  if (access.read) {
    statements.push(
      { Sid: 'ReadLakeObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: objectArns(args.lakeBucketArn, access.read) },
      kmsViaS3Statement('DecryptLakeObjects', args.lakeKeyArn, ['kms:Decrypt'], region),
    );
  }
  return statements;
}

function environmentOf(args: FunctionsArgs): Record<string, pulumi.Input<string>> {
  return {
    ECOMDW_ENGINE: 'redshift',
    ECOMDW_ENVIRONMENT: args.environment,
    ECOMDW_SQL_ROOT: LAMBDA_SQL_ROOT,
    ECOMDW_FRESHNESS: args.freshnessJson,
    REDSHIFT_WORKGROUP: args.workgroupName,
    REDSHIFT_DATABASE: args.databaseName,
    REDSHIFT_SECRET_ARN: args.adminSecretArn,
    REDSHIFT_COPY_ROLE_ARN: args.copyRoleArn,
    REDSHIFT_TIMEOUT_SECONDS: pulumi.output(args.queryTimeoutSeconds).apply(String),
    LAKE_BUCKET: args.lakeBucketName,
    POWERTOOLS_SERVICE_NAME: 'ecomdw',
    POWERTOOLS_METRICS_NAMESPACE: 'ecomdw',
    POWERTOOLS_LOG_LEVEL: args.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
  };
}
