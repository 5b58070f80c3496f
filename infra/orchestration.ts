import { readFileSync } from 'node:fs';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { handlerEntry } from '../functions/core/pipelineManifest.js';
import { HANDLER_NAMES, type HandlerName } from './functions.js';
import { awsContext, roleWithPolicy, serviceTrustPolicy, statesLogDeliveryStatement, xrayStatement } from './policies.js';

/** The execution input of a scheduled run: the next pending batches (the ASL reads `$.request`). */
export const SCHEDULED_INPUT = '{"request":{}}';

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** The definition-substitution placeholder of a handler's function ARN, as the pipeline manifest names it. */
export function functionArnPlaceholder(handler: HandlerName): string {
  return handlerEntry(handler).functionArnPlaceholder;
}

/** Every placeholder the program substitutes in statemachine/pipeline.asl.json. */
export const DEFINITION_PLACEHOLDERS = [...HANDLER_NAMES.map(functionArnPlaceholder), 'NormalizeJobName', 'AlertTopicArn'] as const;

/** The `${Name}` placeholders a definition text uses. */
export function placeholdersOf(template: string): Set<string> {
  return new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string));
}

/**
 * Substitutes every `${Name}` of a definition; fails when the text uses a name
 * without a value or a value has no placeholder (either is a contract drift
 * between the ASL and the program), or when the result is not JSON.
 */
export function substituteDefinition(template: string, values: Readonly<Record<string, string>>): string {
  checkPlaceholders(template, Object.keys(values));
  // Values land inside JSON strings: escape them as JSON would.
  const text = template.replace(PLACEHOLDER, (_m, name: string) => JSON.stringify(values[name]).slice(1, -1));
  JSON.parse(text);
  return text;
}

function checkPlaceholders(template: string, known: readonly string[]): void {
  const used = placeholdersOf(template);
  const unknown = [...used].filter((name) => !known.includes(name));
  const unused = known.filter((name) => !used.has(name));
  if (unknown.length > 0 || unused.length > 0) {
    throw new Error(
      `state machine definition placeholders do not match the program: ${[
        unknown.length > 0 ? `no value for ${unknown.map((n) => `\${${n}}`).join(', ')}` : '',
        unused.length > 0 ? `not in the definition: ${unused.map((n) => `\${${n}}`).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
    );
  }
}

/** Inputs of the orchestration layer. */
export interface OrchestrationArgs {
  /** statemachine/pipeline.asl.json (a fixture in tests). */
  readonly definitionPath: string;
  readonly functionArns: Readonly<Record<HandlerName, pulumi.Input<string>>>;
  readonly jobName: pulumi.Input<string>;
  readonly jobArn: pulumi.Input<string>;
  readonly alertTopicArn: pulumi.Input<string>;
  /** The KMS key of the alert topic (publishing to an encrypted topic needs it). */
  readonly alertTopicKeyArn: pulumi.Input<string>;
  /** ALL, ERROR or FATAL. */
  readonly logLevel: pulumi.Input<string>;
  readonly includeExecutionData: pulumi.Input<boolean>;
  readonly logRetentionDays: pulumi.Input<number>;
  readonly scheduleExpression: pulumi.Input<string>;
  readonly scheduleTimezone: pulumi.Input<string>;
  readonly scheduleEnabled: pulumi.Input<boolean>;
}

/**
 * The pipeline state machine from statemachine/ with every placeholder
 * substituted, logging to CloudWatch Logs with X-Ray tracing, and the
 * EventBridge Scheduler schedule that starts it.
 */
export class Orchestration extends pulumi.ComponentResource {
  public readonly stateMachineArn: pulumi.Output<string>;
  public readonly stateMachineName: pulumi.Output<string>;
  /** The definition as deployed. */
  public readonly definition: pulumi.Output<string>;
  public readonly scheduleArn: pulumi.Output<string>;

  public constructor(name: string, args: OrchestrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ecomdw:orchestration:Orchestration', name, {}, opts);
    const context = awsContext(this);
    const template = readFileSync(args.definitionPath, 'utf8');
    // Checked now, before any resource exists: the values themselves are only known at deploy time.
    checkPlaceholders(template, DEFINITION_PLACEHOLDERS);
    const values: Record<string, pulumi.Input<string>> = {
      ...Object.fromEntries(HANDLER_NAMES.map((h) => [functionArnPlaceholder(h), args.functionArns[h]])),
      NormalizeJobName: args.jobName,
      AlertTopicArn: args.alertTopicArn,
    };
    this.definition = pulumi.output(values).apply((resolved) => substituteDefinition(template, resolved as Record<string, string>));

    const functionArns = HANDLER_NAMES.map((h) => args.functionArns[h]);
    const role = roleWithPolicy(
      `${name}-states-role`,
      {
        description: 'ecomdw state machine: its own functions, its Glue job and its alert topic',
        assumeRolePolicy: serviceTrustPolicy(['states.amazonaws.com'], context.accountId),
        statements: [
          {
            Sid: 'InvokeOwnFunctions',
            Effect: 'Allow',
            Action: ['lambda:InvokeFunction'],
            // Unqualified ARNs and their versions/aliases (the lambda:invoke integration may qualify them).
            Resource: functionArns.flatMap((arn) => [arn, pulumi.interpolate`${arn}:*`]),
          },
          {
            Sid: 'RunNormalizeJob',
            Effect: 'Allow',
            // What the glue:startJobRun.sync integration calls to start, poll and stop a run.
            Action: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
            Resource: args.jobArn,
          },
          { Sid: 'PublishAlerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: args.alertTopicArn },
          {
            Sid: 'EncryptAlerts',
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: args.alertTopicKeyArn,
            Condition: { StringEquals: { 'kms:ViaService': pulumi.interpolate`sns.${context.region}.amazonaws.com` } },
          },
          statesLogDeliveryStatement(),
          xrayStatement({ sampling: true }),
        ],
      },
      this,
    );

    // Step Functions recommends the /aws/vendedlogs/ prefix: it keeps the log resource policy small.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-pipeline-logs`,
      { name: `/aws/vendedlogs/states/${name}-pipeline`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    const stateMachine = new aws.sfn.StateMachine(
      `${name}-pipeline`,
      {
        type: 'STANDARD',
        roleArn: role.arn,
        definition: this.definition,
        loggingConfiguration: {
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
          level: args.logLevel,
          includeExecutionData: args.includeExecutionData,
        },
        tracingConfiguration: { enabled: true },
      },
      { parent: this },
    );

    const schedulerRole = roleWithPolicy(
      `${name}-scheduler-role`,
      {
        description: 'ecomdw schedule: starts executions of its state machine, nothing else',
        assumeRolePolicy: serviceTrustPolicy(['scheduler.amazonaws.com'], context.accountId),
        statements: [{ Sid: 'StartPipeline', Effect: 'Allow', Action: ['states:StartExecution'], Resource: stateMachine.arn }],
      },
      this,
    );
    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        description: 'ecomdw: run the pipeline for every pending batch',
        scheduleExpression: args.scheduleExpression,
        scheduleExpressionTimezone: args.scheduleTimezone,
        state: pulumi.output(args.scheduleEnabled).apply((enabled) => (enabled ? 'ENABLED' : 'DISABLED')),
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: stateMachine.arn,
          roleArn: schedulerRole.arn,
          input: SCHEDULED_INPUT,
          // Retries only a StartExecution that failed (no execution exists yet), so they cannot start two runs.
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        },
      },
      { parent: this },
    );

    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.scheduleArn = schedule.arn;
    this.registerOutputs({
      stateMachineArn: this.stateMachineArn,
      stateMachineName: this.stateMachineName,
      scheduleArn: this.scheduleArn,
    });
  }
}
