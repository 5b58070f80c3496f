/**
 * Pulumi mocks for the infra tests. Call `installMocks()` before importing
 * anything under infra/ (the SDK reads the mock monitor at resource creation),
 * then `settle()` before asserting on `resources`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** One resource the program registered, with the inputs it was given and the state the mock returned. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly state: Record<string, any>;
}

/** Every resource registered so far in this test file. */
export const resources: RecordedResource[] = [];

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

// Computed outputs that the provider would return on a real `pulumi up`, by type token.
function computedState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = inputs.bucket ?? `${name}-abc1234`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket };
    }
    case 'aws:kms/key:Key':
      return { arn: arn('kms', `key/${name}-0000`), keyId: `${name}-0000` };
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name };
    case 'aws:lambda/function:Function': {
      const fn = inputs.name ?? `${name}-abc1234`;
      return { arn: arn('lambda', `function:${fn}`), name: fn, invokeArn: `invoke-${fn}` };
    }
    case 'aws:sns/topic:Topic':
      return { arn: arn('sns', name), name };
    case 'aws:sfn/stateMachine:StateMachine':
      return { arn: arn('states', `stateMachine:${name}`), name };
    case 'aws:glue/job:Job': {
      const job = inputs.name ?? `${name}-abc1234`;
      return { arn: arn('glue', `job/${job}`), name: job };
    }
    case 'aws:cloudwatch/logGroup:LogGroup': {
      const group = inputs.name ?? `${name}-abc1234`;
      return { arn: arn('logs', `log-group:${group}`), name: group };
    }
    case 'aws:redshiftserverless/namespace:Namespace':
      return {
        arn: arn('redshift-serverless', `namespace/${name}-uuid`),
        namespaceId: `${name}-uuid`,
        adminPasswordSecretArn: arn('secretsmanager', `secret:redshift!${inputs.namespaceName}-admin-AbCdEf`),
      };
    case 'aws:redshiftserverless/workgroup:Workgroup':
      return { arn: arn('redshift-serverless', `workgroup/0f0e0d0c-0000-4000-8000-${'0'.repeat(12)}`), workgroupId: `${name}-uuid` };
    case 'aws:ec2/vpcEndpoint:VpcEndpoint':
      return { prefixListId: 'pl-6ea54007' };
    case 'aws:scheduler/schedule:Schedule':
      return { arn: arn('scheduler', `schedule/default/${name}`) };
    default:
      return { arn: arn('mock', `${type.split(':').pop() ?? 'resource'}/${name}`) };
  }
}

/** Installs the mocks (and optionally stack config) for the rest of this test file. */
export async function installMocks(options: { stack?: string; config?: Record<string, string> } = {}): Promise<void> {
  if (options.config) pulumi.runtime.setAllConfig(options.config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: args.custom ? `${args.name}-id` : '', state };
      },
      call(args) {
        switch (args.token) {
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: 'AIDATEST', id: ACCOUNT };
          case 'aws:index/getPartition:getPartition':
            return { partition: 'aws', dnsSuffix: 'amazonaws.com', reverseDnsPrefix: 'com.amazonaws', id: 'aws' };
          case 'aws:index/getRegion:getRegion':
            return { region: REGION, name: REGION, id: REGION, endpoint: `ec2.${REGION}.amazonaws.com`, description: 'Europe (Ireland)' };
          case 'aws:index/getAvailabilityZones:getAvailabilityZones':
            return { names: [`${REGION}a`, `${REGION}b`, `${REGION}c`], zoneIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'], id: REGION };
          default:
            throw new Error(`unmocked call ${args.token}`);
        }
      },
    },
    'ecomdw',
    options.stack ?? 'test',
    false,
  );
}

/** Resolves an output's value (under mocks every value is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Waits until the program stops registering resources. */
export async function settle(): Promise<void> {
  let last = -1;
  let quiet = 0;
  while (quiet < 5) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (resources.length === last) quiet += 1;
    else {
      quiet = 0;
      last = resources.length;
    }
  }
}

/** Resources of one type token, optionally whose logical name includes a fragment. */
export function ofType(type: string, nameIncludes = ''): RecordedResource[] {
  return resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
}

/** The single resource of a type whose name ends with the given suffix; fails loudly otherwise. */
export function one(type: string, nameSuffix: string): RecordedResource {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(nameSuffix));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} named *${nameSuffix}, found ${found.map((r) => r.name).join(', ') || 'none'}`);
  }
  return found[0] as RecordedResource;
}

/** A policy statement as found in a recorded document. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Actions of a statement as a list. */
export const actionsOf = (s: Statement): string[] => asList(s.Action);
/** Resources of a statement as a list. */
export const resourcesOf = (s: Statement): string[] => asList(s.Resource);

/** Parses a recorded policy document (a JSON string input). */
export function statementsOf(policy: unknown): Statement[] {
  const doc = typeof policy === 'string' ? JSON.parse(policy) : policy;
  return asList(doc.Statement as any) as unknown as Statement[];
}

/** Every IAM policy document the program created: role inline policies, trust policies, bucket, key and topic policies. */
export function allPolicyDocuments(): { readonly owner: string; readonly statements: Statement[] }[] {
  const documents: { owner: string; statements: Statement[] }[] = [];
  for (const r of resources) {
    for (const field of ['policy', 'assumeRolePolicy']) {
      const value = r.inputs[field];
      if (typeof value === 'string' && value.includes('Statement')) documents.push({ owner: `${r.type} ${r.name}.${field}`, statements: statementsOf(value) });
    }
  }
  return documents;
}

/** The inline policy statements of the role whose logical name ends with the suffix. */
export function roleStatements(roleNameSuffix: string): Statement[] {
  return statementsOf(one('aws:iam/rolePolicy:RolePolicy', `${roleNameSuffix}-policy`).inputs.policy);
}

/** A stack file's values as the Pulumi CLI hands them to the program: strings, with lists and objects as JSON. */
export function stackValues(file: string): { region: string | undefined; values: Record<string, string> } {
  const text = readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
  const entries = Object.entries((parse(text) as { config: Record<string, unknown> }).config);
  const asString = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return {
    region: entries.find(([k]) => k === 'aws:region')?.[1] as string | undefined,
    values: Object.fromEntries(entries.filter(([k]) => k.startsWith('ecomdw:')).map(([k, v]) => [k.slice('ecomdw:'.length), asString(v)])),
  };
}
