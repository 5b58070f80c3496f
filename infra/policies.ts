import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** One IAM policy statement; values may be Pulumi outputs (ARNs of resources being created). */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Principal?: unknown;
  readonly Condition?: pulumi.Input<Record<string, Record<string, pulumi.Input<string | readonly pulumi.Input<string>[]>>>>;
}

/** Serializes statements to a policy document JSON string once every ARN is known. */
export function policyDocument(statements: readonly PolicyStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * A trust policy letting AWS services assume the role. With `sourceAccount`,
 * the confused-deputy guard: the service may assume it only for this account's
 * resources (used where the service documents that it sends aws:SourceAccount).
 */
export function serviceTrustPolicy(services: readonly string[], sourceAccount?: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AssumedByService',
        Effect: 'Allow',
        Principal: { Service: [...services] },
        Action: 'sts:AssumeRole',
        ...(sourceAccount === undefined ? {} : { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } }),
      },
    ],
  });
}

/** Account, partition and region of the provider the parent resource uses. */
export interface AwsContext {
  readonly accountId: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
}

/** Looks up the account, partition and region through the parent's provider. */
export function awsContext(parent: pulumi.Resource): AwsContext {
  return {
    accountId: aws.getCallerIdentityOutput({}, { parent }).accountId,
    partition: aws.getPartitionOutput({}, { parent }).partition,
    region: aws.getRegionOutput({}, { parent }).region,
  };
}

/** A role with one inline policy, the pattern every component uses. */
export function roleWithPolicy(
  name: string,
  args: { readonly description: string; readonly assumeRolePolicy: pulumi.Input<string>; readonly statements: readonly PolicyStatement[] },
  parent: pulumi.Resource,
): aws.iam.Role {
  const role = new aws.iam.Role(name, { description: args.description, assumeRolePolicy: args.assumeRolePolicy }, { parent });
  new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: policyDocument(args.statements) }, { parent });
  return role;
}

/**
 * The only statements allowed to use Resource "*": AWS offers no resource-level
 * permission for these actions (see docs/cloud.md). Tests allow exactly these
 * Sids, with exactly these actions, and nothing else on "*".
 */
export const WILDCARD_EXCEPTIONS = {
  /** X-Ray trace segments are not resources; AWS documents Resource "*" for tracing from Lambda and Step Functions. */
  XRayWrite: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
  /** Step Functions log delivery uses CloudWatch Logs vended-log APIs that only accept Resource "*" (AWS docs: "IAM policies for logging to CloudWatch Logs"). */
  StatesLogDelivery: [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  /**
   * Data API statement ids are not resources: Describe/GetResult/Cancel/List take "*",
   * narrowed by the documented condition to statements this same role submitted.
   */
  DataApiOwnStatements: [
    'redshift-data:DescribeStatement',
    'redshift-data:GetStatementResult',
    'redshift-data:CancelStatement',
    'redshift-data:ListStatements',
  ],
} as const;

/**
 * X-Ray write access for a traced Lambda function (segments only: Lambda samples)
 * or state machine (which also reads the sampling rules, as AWS documents).
 */
export function xrayStatement(options: { readonly sampling: boolean }): PolicyStatement {
  const actions = WILDCARD_EXCEPTIONS.XRayWrite.filter((a) => options.sampling || !a.includes('Sampling'));
  return { Sid: 'XRayWrite', Effect: 'Allow', Action: actions, Resource: '*' };
}

/** Step Functions logging to CloudWatch Logs. */
export function statesLogDeliveryStatement(): PolicyStatement {
  return { Sid: 'StatesLogDelivery', Effect: 'Allow', Action: WILDCARD_EXCEPTIONS.StatesLogDelivery, Resource: '*' };
}

/** Polling, paging and cancelling the Data API statements this role itself submitted. */
export function dataApiOwnStatementsStatement(): PolicyStatement {
  return {
    Sid: 'DataApiOwnStatements',
    Effect: 'Allow',
    Action: WILDCARD_EXCEPTIONS.DataApiOwnStatements,
    Resource: '*',
    // A plain string, not a template literal: IAM substitutes ${aws:userid} at request time.
    Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
  };
}

/** Objects under some prefixes of a bucket (`arn:...:bucket/prefix/*`). */
export function objectArns(bucketArn: pulumi.Input<string>, prefixes: readonly string[]): pulumi.Output<string>[] {
  return prefixes.map((prefix) => pulumi.interpolate`${bucketArn}/${prefix}*`);
}

/** ListBucket on a bucket, limited to keys under some prefixes. */
export function listPrefixesStatement(sid: string, bucketArn: pulumi.Input<string>, prefixes: readonly string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: bucketArn,
    Condition: { StringLike: { 's3:prefix': prefixes.flatMap((p) => [p, `${p}*`]) } },
  };
}

/** Use of the lake's KMS key, only through S3 in this region (so the grant cannot be used directly). */
export function kmsViaS3Statement(
  sid: string,
  keyArn: pulumi.Input<string>,
  actions: readonly string[],
  region: pulumi.Input<string>,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions,
    Resource: keyArn,
    Condition: { StringEquals: { 'kms:ViaService': pulumi.interpolate`s3.${region}.amazonaws.com` } },
  };
}
