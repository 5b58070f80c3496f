import '../../functions/local/polyfills.js';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, installMocks, one, resourcesOf, roleStatements, settle, valueOf } from './harness.js';
import { taskStates, type AslDefinition } from '../helpers/asl.js';

await installMocks();
const { Orchestration, SCHEDULED_INPUT, substituteDefinition, DEFINITION_PLACEHOLDERS } = await import('../../infra/orchestration.js');
const { HANDLER_NAMES } = await import('../../infra/functions.js');

const FIXTURE = fileURLToPath(new URL('./fixtures/pipeline.asl.json', import.meta.url));
const fnArn = (h: string) => `arn:aws:lambda:eu-west-1:123456789012:function:ecomdw-test-${h}`;
const FUNCTION_ARNS = Object.fromEntries(HANDLER_NAMES.map((h) => [h, fnArn(h)])) as Record<(typeof HANDLER_NAMES)[number], string>;
const JOB_ARN = 'arn:aws:glue:eu-west-1:123456789012:job/ecomdw-test-normalize';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ecomdw-test-alerts';
const TOPIC_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/alerts';

const tasks = taskStates;

describe('Orchestration', () => {
  let orchestration: InstanceType<typeof Orchestration>;
  let definition: AslDefinition;

  beforeAll(async () => {
    // Act
    orchestration = new Orchestration('ecomdw-test', {
      definitionPath: FIXTURE,
      functionArns: FUNCTION_ARNS,
      jobName: 'ecomdw-test-normalize',
      jobArn: JOB_ARN,
      alertTopicArn: TOPIC_ARN,
      alertTopicKeyArn: TOPIC_KEY,
      logLevel: 'ERROR',
      includeExecutionData: false,
      logRetentionDays: 30,
      scheduleExpression: 'cron(0 6 * * ? *)',
      scheduleTimezone: 'Europe/Paris',
      scheduleEnabled: false,
    });
    definition = JSON.parse(await valueOf(orchestration.definition));
    await settle();
  });

  describe('the deployed definition', () => {
    it('has every placeholder substituted', () => {
      const deployed = one('aws:sfn/stateMachine:StateMachine', '-pipeline').inputs.definition as string;
      expect(deployed).not.toContain('${');
      expect(JSON.parse(deployed)).toEqual(definition);
    });

    it('is valid Amazon States Language', () => {
      const { isValid, errorsText } = aslValidator(definition);
      expect(errorsText()).toBe('');
      expect(isValid).toBe(true);
    });

    it('calls only the stack\'s own functions, job and topic', () => {
      const targets = tasks(definition.States).map(([, s]) => s.Parameters?.FunctionName ?? s.Parameters?.JobName ?? s.Parameters?.TopicArn);
      expect(new Set(targets)).toEqual(new Set([...Object.values(FUNCTION_ARNS), 'ecomdw-test-normalize', TOPIC_ARN]));
    });

    it('runs locally: a scheduled run with nothing pending succeeds', async () => {
      // Prepare
      const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
      const seen: unknown[] = [];
      // Act
      const result = await machine.run(JSON.parse(SCHEDULED_INPUT), {
        overrides: {
          taskResourceLocalHandlers: {
            DiscoverBatch: async (input: unknown) => {
              seen.push(input);
              return { Payload: { batchId: null, tables: [] } };
            },
          } as never,
        },
      }).result;
      // Assess
      expect(seen).toEqual([{ FunctionName: FUNCTION_ARNS.discoverBatch, Payload: { request: {} } }]);
      expect(result).toMatchObject({ batch: { batchId: null } });
    });

    it('runs locally: a failing step publishes the alert to the stack\'s topic', async () => {
      // Prepare
      const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
      const published: { TopicArn: string }[] = [];
      // Act
      const execution = machine.run(JSON.parse(SCHEDULED_INPUT), {
        overrides: {
          taskResourceLocalHandlers: {
            DiscoverBatch: async () => {
              throw Object.assign(new Error('warehouse unreachable'), { name: 'WarehouseError' });
            },
            RecordFailure: async () => ({ Payload: {} }),
            PublishAlert: async (input: { TopicArn: string }) => {
              published.push(input);
              return { MessageId: 'm-1' };
            },
          } as never,
        },
      });
      // Assess
      await expect(execution.result).rejects.toThrow();
      expect(published.map((p) => p.TopicArn)).toEqual([TOPIC_ARN]);
    });
  });

  describe('substituting a definition', () => {
    const values = Object.fromEntries(DEFINITION_PLACEHOLDERS.map((p) => [p, `value-of-${p}`]));

    it('fails on a placeholder the program does not know', () => {
      const template = readFileSync(FIXTURE, 'utf8').replace('${NormalizeJobName}', '${NormaliseJobName}');
      expect(() => substituteDefinition(template, values)).toThrow(/no value for \$\{NormaliseJobName\}.*not in the definition: \$\{NormalizeJobName\}/);
    });

    it('fails when a known placeholder is missing from the definition', () => {
      const template = readFileSync(FIXTURE, 'utf8').replace('${AlertTopicArn}', 'arn:aws:sns:eu-west-1:123456789012:hard-coded');
      expect(() => substituteDefinition(template, values)).toThrow(/not in the definition: \$\{AlertTopicArn\}/);
    });
  });

  it('logs executions to CloudWatch Logs and traces them', () => {
    const machine = one('aws:sfn/stateMachine:StateMachine', '-pipeline');
    const logGroup = one('aws:cloudwatch/logGroup:LogGroup', '-pipeline-logs');
    expect(machine.inputs.loggingConfiguration).toEqual({
      logDestination: `${logGroup.state.arn}:*`,
      level: 'ERROR',
      includeExecutionData: false,
    });
    expect(machine.inputs.tracingConfiguration).toEqual({ enabled: true });
    expect(logGroup.inputs).toMatchObject({ name: '/aws/vendedlogs/states/ecomdw-test-pipeline', retentionInDays: 30 });
  });

  it('lets the state machine invoke only its functions, its job and its topic', () => {
    const statements = roleStatements('-states-role');
    const byAction = (prefix: string) => statements.filter((s) => actionsOf(s).some((a) => a.startsWith(prefix))).flatMap(resourcesOf);
    expect(byAction('lambda:').sort()).toEqual(Object.values(FUNCTION_ARNS).flatMap((a) => [a, `${a}:*`]).sort());
    expect(byAction('glue:')).toEqual([JOB_ARN]);
    expect(byAction('sns:')).toEqual([TOPIC_ARN]);
    expect(byAction('kms:')).toEqual([TOPIC_KEY]);
  });

  it('schedules runs from config, disabled when the stack says so, with the input the ASL reads', async () => {
    const schedule = one('aws:scheduler/schedule:Schedule', '-schedule');
    expect(schedule.inputs).toMatchObject({
      scheduleExpression: 'cron(0 6 * * ? *)',
      scheduleExpressionTimezone: 'Europe/Paris',
      state: 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
    });
    expect(schedule.inputs.target.arn).toBe(await valueOf(orchestration.stateMachineArn));
    expect(JSON.parse(schedule.inputs.target.input)).toEqual({ request: {} });
  });

  it('lets the schedule only start executions of its state machine', async () => {
    const statements = roleStatements('-scheduler-role');
    expect(statements.flatMap(actionsOf)).toEqual(['states:StartExecution']);
    expect(statements.flatMap(resourcesOf)).toEqual([await valueOf(orchestration.stateMachineArn)]);
    const trust = JSON.parse(one('aws:iam/role:Role', '-scheduler-role').inputs.assumeRolePolicy);
    expect(trust.Statement[0].Principal).toEqual({ Service: ['scheduler.amazonaws.com'] });
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' } });
  });
});
