import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { HandlerName } from './functions.js';
import { HANDLER_NAMES } from './functions.js';
import type { PipelineStepName } from '../functions/core/pipelineManifest.js';
import { awsContext } from './policies.js';

/** The namespace the handlers' Powertools metrics land in. */
export const PIPELINE_METRICS_NAMESPACE = 'ecomdw';
/** The pipeline metrics the dashboard charts (SPEC section 5, functions/ contract). */
export const PIPELINE_METRICS = ['RowsIngested', 'RowsQuarantined', 'VersionsCreated', 'FactRowsUpserted', 'TestsFailed', 'TestsWarned'] as const;

/**
 * A CloudWatch Metrics Insights query over the pipeline namespace. `FROM <namespace>`
 * (not SCHEMA(...)) matches every dimension set, so the alarm sees the metric whether
 * a figure is emitted with `environment, step` or also with `table` (a plain metric
 * alarm matches one exact dimension set only).
 */
export function pipelineMetricQuery(metric: (typeof PIPELINE_METRICS)[number], environment: string, step?: PipelineStepName): string {
  const filters = [`environment = '${environment}'`, ...(step ? [`step = '${step}'`] : [])];
  return `SELECT SUM(${metric}) FROM ${PIPELINE_METRICS_NAMESPACE} WHERE ${filters.join(' AND ')}`;
}

/** Inputs of the monitoring layer. */
export interface MonitoringArgs {
  /** The stack name (the `environment` dimension of the pipeline metrics); plain, it is part of queries. */
  readonly environment: string;
  /** Plain list: one subscription per address is decided when the program runs. */
  readonly alertEmails: readonly string[];
  readonly stateMachineArn: pulumi.Input<string>;
  readonly functionNames: Readonly<Record<HandlerName, pulumi.Input<string>>>;
  readonly workgroupName: pulumi.Input<string>;
  readonly dailyRpuHoursLimit: pulumi.Input<number>;
  readonly maxCapacity: pulumi.Input<number>;
}

/**
 * The alert topic (KMS-encrypted, e-mail subscriptions from config), alarms on
 * failed and timed-out executions, validation errors, Lambda errors and daily
 * Redshift compute, all wired to the topic, and the pipeline dashboard.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  public readonly topicKeyArn: pulumi.Output<string>;
  public readonly alarmArns: pulumi.Output<string[]>;
  public readonly dashboardName: pulumi.Output<string>;

  public constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ecomdw:monitoring:Monitoring', name, {}, opts);
    const context = awsContext(this);

    // CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key: the topic gets its own key.
    const key = new aws.kms.Key(
      `${name}-alerts-key`,
      {
        description: `ecomdw ${name}: encrypts the alert topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        // In a key policy, Resource "*" means this key.
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AccountAdministersKeyThroughIam',
              Effect: 'Allow',
              Principal: { AWS: pulumi.interpolate`arn:${context.partition}:iam::${context.accountId}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
            },
          ],
        }),
      },
      { parent: this },
    );
    const topic = new aws.sns.Topic(`${name}-alerts`, { displayName: `ecomdw ${args.environment} alerts`, kmsMasterKeyId: key.arn }, { parent: this });
    for (const email of args.alertEmails) {
      new aws.sns.TopicSubscription(
        `${name}-alerts-${email.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        { topic: topic.arn, protocol: 'email', endpoint: email },
        { parent: this },
      );
    }

    const alarm = (role: string, description: string, spec: Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'alarmDescription'>) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${role}`,
        {
          alarmDescription: description,
          comparisonOperator: 'GreaterThanThreshold',
          evaluationPeriods: 1,
          threshold: 0,
          treatMissingData: 'notBreaching',
          ...spec,
          alarmActions: [topic.arn],
        },
        { parent: this },
      );
    const executionAlarm = (metric: string, role: string, what: string) =>
      alarm(role, `ecomdw ${args.environment}: a pipeline execution ${what}. The batch stays pending; see the execution history.`, {
        namespace: 'AWS/States',
        metricName: metric,
        dimensions: { StateMachineArn: args.stateMachineArn },
        statistic: 'Sum',
        period: 300,
      });
    const alarms = [
      executionAlarm('ExecutionsFailed', 'executions-failed', 'failed'),
      executionAlarm('ExecutionsTimedOut', 'executions-timed-out', 'timed out'),
      alarm('validation-errors', `ecomdw ${args.environment}: error-severity data tests failed (audit.test_results).`, {
        metricQueries: [
          {
            id: 'testsFailed',
            label: 'TestsFailed (validateBatch)',
            expression: pipelineMetricQuery('TestsFailed', args.environment, 'ValidateBatch'),
            period: 300,
            returnData: true,
          },
        ],
      }),
      ...HANDLER_NAMES.map((handler) =>
        alarm(`${handler}-errors`, `ecomdw ${args.environment}: Lambda ${handler} returned errors.`, {
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: { FunctionName: args.functionNames[handler] },
          statistic: 'Sum',
          period: 300,
        }),
      ),
      // Seen the day it happens: a rolling 24 h sum of RPU-seconds against the daily usage limit.
      alarm('redshift-daily-rpu-hours', `ecomdw ${args.environment}: Redshift Serverless used more RPU-hours in 24 h than its daily usage limit.`, {
        namespace: 'AWS/Redshift-Serverless',
        metricName: 'ComputeSeconds',
        dimensions: { Workgroup: args.workgroupName },
        statistic: 'Sum',
        period: 86_400,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: pulumi.output(args.dailyRpuHoursLimit).apply((hours) => hours * 3600),
      }),
    ];

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: name,
        dashboardBody: pulumi.jsonStringify(
          dashboardBody({
            title: `ecomdw ${args.environment}`,
            environment: args.environment,
            region: context.region,
            stateMachineArn: args.stateMachineArn,
            functionNames: HANDLER_NAMES.map((h) => args.functionNames[h]),
            workgroupName: args.workgroupName,
            maxCapacity: args.maxCapacity,
            alarmArns: alarms.map((a) => a.arn),
          }),
        ),
      },
      { parent: this },
    );

    this.topicArn = topic.arn;
    this.topicKeyArn = key.arn;
    this.alarmArns = pulumi.all(alarms.map((a) => a.arn));
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ topicArn: this.topicArn, topicKeyArn: this.topicKeyArn, alarmArns: this.alarmArns, dashboardName: this.dashboardName });
  }
}

interface DashboardInputs {
  readonly title: string;
  readonly environment: string;
  readonly region: pulumi.Input<string>;
  readonly stateMachineArn: pulumi.Input<string>;
  readonly functionNames: readonly pulumi.Input<string>[];
  readonly workgroupName: pulumi.Input<string>;
  readonly maxCapacity: pulumi.Input<number>;
  readonly alarmArns: readonly pulumi.Input<string>[];
}

function dashboardBody(d: DashboardInputs): unknown {
  const metricWidget = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
    type: 'metric',
    width: 12,
    height: 6,
    properties: { title, region: d.region, view: 'timeSeries', period: 300, metrics, ...extra },
  });
  const widgets = [
    { type: 'text', width: 24, height: 2, properties: { markdown: `# ${d.title}\nPipeline runs, data volumes and quality, step errors and warehouse cost.` } },
    { type: 'alarm', width: 24, height: 3, properties: { title: 'Alarms', alarms: d.alarmArns } },
    metricWidget(
      'Executions',
      ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((m) => [
        'AWS/States',
        m,
        'StateMachineArn',
        d.stateMachineArn,
        { stat: 'Sum' },
      ]),
    ),
    metricWidget(
      'Data quality',
      (['TestsFailed', 'TestsWarned'] as const).map((m, i) => [{ expression: pipelineMetricQuery(m, d.environment), label: m, id: `q${i}` }]),
    ),
    metricWidget(
      'Rows and versions',
      (['RowsIngested', 'RowsQuarantined', 'VersionsCreated', 'FactRowsUpserted'] as const).map((m, i) => [
        { expression: pipelineMetricQuery(m, d.environment), label: m, id: `r${i}` },
      ]),
    ),
    metricWidget(
      'Lambda errors',
      d.functionNames.map((fn) => ['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum' }]),
    ),
    metricWidget(
      'Lambda duration (p95)',
      d.functionNames.map((fn) => ['AWS/Lambda', 'Duration', 'FunctionName', fn, { stat: 'p95' }]),
    ),
    metricWidget('Redshift compute (RPU)', [['AWS/Redshift-Serverless', 'ComputeCapacity', 'Workgroup', d.workgroupName, { stat: 'Maximum' }]], {
      annotations: { horizontal: [{ label: 'max capacity', value: d.maxCapacity }] },
    }),
    metricWidget('Redshift RPU-seconds', [['AWS/Redshift-Serverless', 'ComputeSeconds', 'Workgroup', d.workgroupName, { stat: 'Sum' }]], { period: 3600 }),
  ];
  return { widgets };
}
