/**
 * The ecomdw stack (`pulumi up`): the composition root. It is the only module
 * that reads stack configuration; it validates it, then builds one component
 * per layer and exports what operators need.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CONFIG_NAMESPACE, parseStackConfig, StackConfigError, type StackConfig } from './config.js';
import { Etl } from './etl.js';
import { Functions } from './functions.js';
import { Lake } from './lake.js';
import { Monitoring } from './monitoring.js';
import { Orchestration } from './orchestration.js';
import { repoPaths } from './paths.js';
import { Warehouse } from './warehouse.js';

/** Reads and validates the stack configuration (every `ecomdw:*` key and aws:region). */
function readStackConfig(): StackConfig {
  const all = pulumi.runtime.allConfig();
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values = Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
  try {
    return parseStackConfig({ stack: pulumi.getStack(), region: all['aws:region'], values });
  } catch (error) {
    // RunError: Pulumi prints the message alone, without a stack trace, and creates nothing.
    if (error instanceof StackConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const config = readStackConfig();
const paths = repoPaths();
const name = `ecomdw-${config.environment}`;

// One explicit provider: the validated region, and tags on everything the stack creates.
const provider = new aws.Provider('aws', {
  region: config.region,
  defaultTags: { tags: { project: 'ecomdw', environment: config.environment, 'managed-by': 'pulumi' } },
});
const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };

const lake = new Lake(name, { forceDestroy: config.lakeForceDestroy, noncurrentVersionDays: config.lakeNoncurrentVersionDays }, opts);

const warehouse = new Warehouse(
  name,
  {
    vpcCidr: config.vpcCidr,
    databaseName: config.redshiftDatabase,
    adminUsername: config.redshiftAdminUsername,
    baseCapacity: config.redshiftBaseCapacity,
    maxCapacity: config.redshiftMaxCapacity,
    dailyRpuHoursLimit: config.redshiftDailyRpuHoursLimit,
    usageLimitBreachAction: config.redshiftUsageLimitBreachAction,
    lakeBucketArn: lake.bucketArn,
    lakeKeyArn: lake.keyArn,
  },
  opts,
);

const etl = new Etl(
  name,
  {
    scriptPath: paths.glueScript,
    sqlRoot: paths.sqlRoot,
    contractPath: paths.contractFile,
    artifactsBucketName: lake.artifactsBucketName,
    artifactsBucketArn: lake.artifactsBucketArn,
    lakeBucketName: lake.bucketName,
    lakeBucketArn: lake.bucketArn,
    lakeKeyArn: lake.keyArn,
    workerType: config.glueWorkerType,
    numberOfWorkers: config.glueNumberOfWorkers,
    maxConcurrentRuns: config.glueMaxConcurrentRuns,
    timeoutMinutes: config.glueTimeoutMinutes,
    logRetentionDays: config.logRetentionDays,
  },
  opts,
);

const functions = new Functions(
  name,
  {
    entryPoints: paths.handlerEntryPoints,
    repoRoot: paths.repoRoot,
    sqlRoot: paths.sqlRoot,
    environment: config.environment,
    workgroupName: warehouse.workgroupName,
    workgroupArn: warehouse.workgroupArn,
    databaseName: warehouse.databaseName,
    adminSecretArn: warehouse.adminSecretArn,
    copyRoleArn: warehouse.copyRoleArn,
    lakeBucketName: lake.bucketName,
    lakeBucketArn: lake.bucketArn,
    lakeKeyArn: lake.keyArn,
    queryTimeoutSeconds: config.redshiftQueryTimeoutSeconds,
    freshnessJson: config.freshnessJson,
    logLevel: config.logLevel,
    logRetentionDays: config.logRetentionDays,
    memoryMb: config.lambdaMemoryMb,
    timeoutSeconds: config.lambdaTimeoutSeconds,
    runtime: config.lambdaRuntime,
    architecture: config.lambdaArchitecture,
  },
  opts,
);

// The alarms watch the state machine and the state machine publishes to the alarms' topic:
// the state machine ARN is handed to monitoring once orchestration exists.
const [stateMachineArn, resolveStateMachineArn] = pulumi.deferredOutput<string>();

const monitoring = new Monitoring(
  name,
  {
    environment: config.environment,
    alertEmails: config.alertEmails,
    stateMachineArn,
    functionNames: functions.functionNames,
    workgroupName: warehouse.workgroupName,
    dailyRpuHoursLimit: config.redshiftDailyRpuHoursLimit,
    maxCapacity: config.redshiftMaxCapacity,
  },
  opts,
);

const orchestration = new Orchestration(
  name,
  {
    definitionPath: paths.stateMachineDefinition,
    functionArns: functions.functionArns,
    jobName: etl.jobName,
    jobArn: etl.jobArn,
    alertTopicArn: monitoring.topicArn,
    alertTopicKeyArn: monitoring.topicKeyArn,
    logLevel: config.stateMachineLogLevel,
    includeExecutionData: config.stateMachineIncludeExecutionData,
    logRetentionDays: config.logRetentionDays,
    scheduleExpression: config.scheduleExpression,
    scheduleTimezone: config.scheduleTimezone,
    scheduleEnabled: config.scheduleEnabled,
  },
  opts,
);
resolveStateMachineArn(orchestration.stateMachineArn);

export const region = config.region;
export const lakeBucket = lake.bucketName;
export const artifactsBucket = lake.artifactsBucketName;
export const redshiftWorkgroup = warehouse.workgroupName;
export const redshiftNamespace = warehouse.namespaceName;
export const redshiftDatabase = warehouse.databaseName;
export const redshiftAdminSecretArn = warehouse.adminSecretArn;
export const redshiftCopyRoleArn = warehouse.copyRoleArn;
export const glueJobName = etl.jobName;
export const functionNames = functions.functionNames;
export const pipelineStateMachineArn = orchestration.stateMachineArn;
export const scheduleArn = orchestration.scheduleArn;
export const alertTopicArn = monitoring.topicArn;
export const dashboardUrl = pulumi.interpolate`https://${config.region}.console.aws.amazon.com/cloudwatch/home?region=${config.region}#dashboards:name=${monitoring.dashboardName}`;
