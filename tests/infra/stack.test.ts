import * as pulumi from '@pulumi/pulumi';
import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { actionsOf, allPolicyDocuments, installMocks, ofType, one, resources, resourcesOf, roleStatements, settle, stackValues, valueOf } from './harness.js';

// The program deploys functions/handlers/*.ts, functions/glue/normalize_job.py and
// statemachine/pipeline.asl.json. Files another change has not delivered yet are replaced by
// the fixtures (and listed in `stand-ins`), so the composed stack is tested either way.
vi.mock('../../infra/paths.js', async (importOriginal) => {
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const real = await importOriginal<typeof import('../../infra/paths.js')>();
  const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
  const standIns: string[] = [];
  const pick = (path: string, stand: string) => {
    if (existsSync(path)) return path;
    standIns.push(path);
    return stand;
  };
  const paths = real.repoPaths();
  const resolved = {
    ...paths,
    glueScript: pick(paths.glueScript, fixture('glue/normalize_job.py')),
    stateMachineDefinition: pick(paths.stateMachineDefinition, fixture('pipeline.asl.json')),
    handlerEntryPoints: Object.fromEntries(Object.entries(paths.handlerEntryPoints).map(([h, p]) => [h, pick(p, fixture('handlers/probe.ts'))])),
  };
  return { ...real, repoPaths: () => resolved, standIns };
});

const { region, values } = stackValues('Pulumi.dev.yaml');
await installMocks({
  stack: 'dev',
  config: { 'aws:region': region ?? '', ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`ecomdw:${k}`, v])) },
});
const program = await import('../../infra/index.js');
const { standIns } = (await import('../../infra/paths.js')) as unknown as { standIns: string[] };
const { WILDCARD_EXCEPTIONS } = await import('../../infra/policies.js');
const { HANDLER_NAMES } = await import('../../infra/functions.js');

type Definition = { States: Record<string, { Type: string; Parameters?: Record<string, unknown>; ItemProcessor?: Definition }> };
function taskTargets(definition: Definition): unknown[] {
  return Object.values(definition.States).flatMap((s) => [
    ...(s.Type === 'Task' ? [s.Parameters?.FunctionName ?? s.Parameters?.JobName ?? s.Parameters?.TopicArn] : []),
    ...(s.ItemProcessor ? taskTargets(s.ItemProcessor) : []),
  ]);
}

describe('The composed dev stack', () => {
  let topicArn: string;

  beforeAll(async () => {
    if (standIns.length > 0) console.info(`stack test: fixtures stand in for ${standIns.join(', ')}`);
    topicArn = await valueOf(program.alertTopicArn);
    await valueOf(program.dashboardUrl);
    await settle();
  });

  it('builds one component per layer', () => {
    const components = resources.filter((r) => r.type.startsWith('ecomdw:')).map((r) => r.type).sort();
    expect(components).toEqual([
      'ecomdw:etl:Etl',
      'ecomdw:functions:Functions',
      'ecomdw:lake:Lake',
      'ecomdw:monitoring:Monitoring',
      'ecomdw:orchestration:Orchestration',
      'ecomdw:warehouse:Warehouse',
    ]);
  });

  it('deploys to the configured region and tags everything', () => {
    expect(one('pulumi:providers:aws', 'aws').inputs).toMatchObject({
      region: 'eu-west-1',
      defaultTags: JSON.stringify({ tags: { project: 'ecomdw', environment: 'dev', 'managed-by': 'pulumi' } }),
    });
  });

  it('grants no Action "*" and no Resource "*" except the documented exceptions', () => {
    const violations: string[] = [];
    for (const { owner, statements } of allPolicyDocuments()) {
      // A key policy's Resource "*" is the key itself; administering it through IAM is AWS's default key policy.
      const isKeyPolicy = owner.startsWith('aws:kms/key:Key');
      for (const s of statements.filter((st) => st.Effect === 'Allow')) {
        const actions = actionsOf(s);
        if (actions.includes('*')) violations.push(`${owner} ${s.Sid}: Action "*"`);
        if (!isKeyPolicy && actions.some((a) => a.endsWith(':*'))) violations.push(`${owner} ${s.Sid}: service-wide ${actions.join(',')}`);
        if (resourcesOf(s).includes('*') && !isKeyPolicy) {
          const allowed = (WILDCARD_EXCEPTIONS as Record<string, readonly string[]>)[s.Sid ?? ''];
          if (!allowed || actions.some((a) => !allowed.includes(a))) violations.push(`${owner} ${s.Sid}: Resource "*" for ${actions.join(',')}`);
        }
        if (s.Principal === '*' && !owner.startsWith('aws:ec2/vpcEndpoint:VpcEndpoint')) violations.push(`${owner} ${s.Sid}: Principal "*"`);
      }
    }
    expect(violations).toEqual([]);
    const wildcardSids = allPolicyDocuments()
      .filter((d) => !d.owner.startsWith('aws:kms/key:Key'))
      .flatMap((d) => d.statements.filter((s) => s.Effect === 'Allow' && resourcesOf(s).includes('*')).map((s) => s.Sid));
    expect(new Set(wildcardSids)).toEqual(new Set(Object.keys(WILDCARD_EXCEPTIONS)));
    // The scan looked at every role's policy, the bucket policies and the key policy.
    expect(allPolicyDocuments().length).toBeGreaterThan(20);
  });

  it('deploys the state machine with every placeholder substituted by this stack\'s resources', async () => {
    const machine = one('aws:sfn/stateMachine:StateMachine', '-pipeline');
    const text = machine.inputs.definition as string;
    expect(text).not.toMatch(/\$\{/);
    const definition = JSON.parse(text) as Definition;
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    const functionArns = ofType('aws:lambda/function:Function').map((f) => f.state.arn);
    const jobName = one('aws:glue/job:Job', '-normalize').state.name;
    expect(new Set(taskTargets(definition))).toEqual(new Set([...functionArns, jobName, topicArn]));
    expect(await valueOf(program.pipelineStateMachineArn)).toBe(machine.state.arn);
  });

  it('watches the deployed state machine and sends every alarm to the topic', async () => {
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    for (const alarm of alarms) expect(alarm.inputs.alarmActions).toEqual([topicArn]);
    expect(one('aws:cloudwatch/metricAlarm:MetricAlarm', '-executions-failed').inputs.dimensions.StateMachineArn).toBe(
      await valueOf(program.pipelineStateMachineArn),
    );
    expect(one('aws:cloudwatch/metricAlarm:MetricAlarm', '-validation-errors').inputs.metricQueries[0].expression).toContain("environment = 'dev'");
  });

  it('points every function at this stack\'s warehouse, secret, COPY role and lake', async () => {
    const namespace = one('aws:redshiftserverless/namespace:Namespace', '-ns');
    for (const fn of ofType('aws:lambda/function:Function')) {
      expect(fn.inputs.environment.variables).toMatchObject({
        ECOMDW_ENVIRONMENT: 'dev',
        REDSHIFT_WORKGROUP: 'ecomdw-dev',
        REDSHIFT_DATABASE: 'ecomdw',
        REDSHIFT_SECRET_ARN: namespace.state.adminPasswordSecretArn,
        REDSHIFT_COPY_ROLE_ARN: await valueOf(program.redshiftCopyRoleArn),
        LAKE_BUCKET: await valueOf(program.lakeBucket),
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
    expect(namespace.inputs.iamRoles).toEqual([await valueOf(program.redshiftCopyRoleArn)]);
  });

  it.each(HANDLER_NAMES)('scopes %s to the stack\'s workgroup and secret', (handler) => {
    const statements = roleStatements(`-${handler}-role`);
    const workgroupArn = one('aws:redshiftserverless/workgroup:Workgroup', '-wg').state.arn;
    const secretArn = one('aws:redshiftserverless/namespace:Namespace', '-ns').state.adminPasswordSecretArn;
    expect(statements.find((s) => s.Sid === 'RunStatementsOnWorkgroup')?.Resource).toBe(workgroupArn);
    expect(statements.find((s) => s.Sid === 'ReadWarehouseSecret')?.Resource).toBe(secretArn);
  });

  it('keeps the dev schedule disabled and the dev buckets removable', () => {
    expect(one('aws:scheduler/schedule:Schedule', '-schedule').inputs.state).toBe('DISABLED');
    for (const bucket of ofType('aws:s3/bucket:Bucket')) expect(bucket.inputs.forceDestroy).toBe(true);
  });

  it('exports what an operator needs', async () => {
    expect(await valueOf(program.redshiftWorkgroup)).toBe('ecomdw-dev');
    expect(await valueOf(program.dashboardUrl)).toBe('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=ecomdw-dev');
    expect(Object.keys(await valueOf(pulumi.output(program.functionNames))).sort()).toEqual([...HANDLER_NAMES].sort());
  });
});
