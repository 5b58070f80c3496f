import { beforeAll, describe, expect, it } from 'vitest';
import { installMocks, ofType, one, settle, statementsOf, valueOf } from './harness.js';

await installMocks();
const { Monitoring } = await import('../../infra/monitoring.js');
const { HANDLER_NAMES } = await import('../../infra/functions.js');

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ecomdw-test-pipeline';
const FUNCTION_NAMES = Object.fromEntries(HANDLER_NAMES.map((h) => [h, `ecomdw-test-${h}-fn`])) as Record<(typeof HANDLER_NAMES)[number], string>;

describe('Monitoring', () => {
  let monitoring: InstanceType<typeof Monitoring>;
  let topicArn: string;

  beforeAll(async () => {
    // Act
    monitoring = new Monitoring('ecomdw-test', {
      environment: 'test',
      alertEmails: ['data-team@example.com', 'On.Call@example.org'],
      stateMachineArn: STATE_MACHINE,
      functionNames: FUNCTION_NAMES,
      workgroupName: 'ecomdw-test',
      dailyRpuHoursLimit: 24,
      maxCapacity: 32,
    });
    topicArn = await valueOf(monitoring.topicArn);
    await valueOf(monitoring.dashboardName);
    await settle();
  });

  it('encrypts the alert topic with a key CloudWatch alarms may use', async () => {
    expect(one('aws:sns/topic:Topic', '-alerts').inputs.kmsMasterKeyId).toBe(await valueOf(monitoring.topicKeyArn));
    const statements = statementsOf(one('aws:kms/key:Key', '-alerts-key').inputs.policy);
    expect(statements.find((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }))?.Action).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    ]);
  });

  it('subscribes every configured address by e-mail', () => {
    const subscriptions = ofType('aws:sns/topicSubscription:TopicSubscription');
    expect(subscriptions.map((s) => s.inputs.endpoint).sort()).toEqual(['On.Call@example.org', 'data-team@example.com']);
    expect(subscriptions.every((s) => s.inputs.protocol === 'email' && s.inputs.topic === topicArn)).toBe(true);
  });

  it('sends every alarm to the alert topic', () => {
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.length).toBe(4 + HANDLER_NAMES.length);
    for (const alarm of alarms) expect(alarm.inputs.alarmActions).toContain(topicArn);
  });

  it.each([
    ['executions-failed', 'ExecutionsFailed'],
    ['executions-timed-out', 'ExecutionsTimedOut'],
  ])('alarms on %s executions of the state machine', (role, metric) => {
    expect(one('aws:cloudwatch/metricAlarm:MetricAlarm', `-${role}`).inputs).toMatchObject({
      namespace: 'AWS/States',
      metricName: metric,
      dimensions: { StateMachineArn: STATE_MACHINE },
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
    });
  });

  it('alarms when validateBatch reports failed tests in this environment', () => {
    const query = one('aws:cloudwatch/metricAlarm:MetricAlarm', '-validation-errors').inputs.metricQueries[0];
    expect(query.expression).toBe("SELECT SUM(TestsFailed) FROM ecomdw WHERE environment = 'test' AND step = 'ValidateBatch'");
    expect(query.returnData).toBe(true);
  });

  it.each(HANDLER_NAMES)('alarms on errors of the %s function', (handler) => {
    expect(one('aws:cloudwatch/metricAlarm:MetricAlarm', `-${handler}-errors`).inputs).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: FUNCTION_NAMES[handler] },
    });
  });

  it('alarms within a day when Redshift compute exceeds the daily RPU-hours limit', () => {
    expect(one('aws:cloudwatch/metricAlarm:MetricAlarm', '-redshift-daily-rpu-hours').inputs).toMatchObject({
      namespace: 'AWS/Redshift-Serverless',
      metricName: 'ComputeSeconds',
      dimensions: { Workgroup: 'ecomdw-test' },
      statistic: 'Sum',
      period: 86_400,
      threshold: 24 * 3600,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('charts executions, data quality, functions and warehouse cost on one dashboard', async () => {
    const dashboard = one('aws:cloudwatch/dashboard:Dashboard', '-dashboard');
    const body = dashboard.inputs.dashboardBody as string;
    const widgets = JSON.parse(body).widgets as { type: string; properties: { title?: string; alarms?: string[] } }[];
    expect(widgets.map((w) => w.properties.title).filter(Boolean)).toEqual([
      'Alarms',
      'Executions',
      'Data quality',
      'Rows and versions',
      'Lambda errors',
      'Lambda duration (p95)',
      'Redshift compute (RPU)',
      'Redshift RPU-seconds',
    ]);
    expect(widgets.find((w) => w.type === 'alarm')?.properties.alarms).toEqual(await valueOf(monitoring.alarmArns));
    for (const fn of Object.values(FUNCTION_NAMES)) expect(body).toContain(fn);
    expect(body).toContain(STATE_MACHINE);
  });
});
