/**
 * Runs the Pulumi program (infra/index.ts) of one stack under Pulumi's mocks
 * and writes what it would deploy to `<outDir>/stack.json`, with each
 * function's deployment package unpacked under `<outDir>/functions/<name>/`:
 *
 *   node --import tsx offline/cloud/captureStack.ts <stack> <outDir>
 *
 * The mocks answer as the AWS provider would: auto-named resources get a
 * random-looking suffix, ARNs carry the stack's region and a fixed account.
 * Started by deployedStack.ts (Pulumi's runtime is per process).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { pulumiStackConfig, STACK_FILE, type DeployedFunction, type DeployedObject, type DeployedStack } from './deployedStack.js';

const [stack, outDir] = process.argv.slice(2);
if (!stack || !outDir) throw new Error('usage: captureStack.ts <stack> <outDir>');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ACCOUNT = '123456789012';

const config = pulumiStackConfig(stack);
const region = config['aws:region'] ?? 'us-east-1';
const arn = (service: string, resource: string): string => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
/** Pulumi's auto-naming: the logical name plus 7 random characters (here derived from the name, so runs repeat). */
const autoName = (name: string): string => `${name}-${createHash('sha256').update(name).digest('hex').slice(0, 7)}`;

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly state: Record<string, any>;
}
const resources: Recorded[] = [];

/** A secret input arrives wrapped under mocks ({ value }). */
const unsecret = (value: unknown): unknown => (value !== null && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value);

function computedState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = inputs.bucket ?? autoName(name);
      return { bucket, id: bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case 'aws:kms/key:Key':
      return { arn: arn('kms', `key/${autoName(name)}`), keyId: autoName(name) };
    case 'aws:iam/role:Role': {
      const role = inputs.name ?? autoName(name);
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, name: role };
    }
    case 'aws:lambda/function:Function': {
      const fn = inputs.name ?? autoName(name);
      return { arn: arn('lambda', `function:${fn}`), name: fn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/functions/${fn}` };
    }
    case 'aws:sns/topic:Topic':
      return { arn: arn('sns', inputs.name ?? autoName(name)), name: inputs.name ?? autoName(name) };
    case 'aws:sfn/stateMachine:StateMachine': {
      const machine = inputs.name ?? autoName(name);
      return { arn: arn('states', `stateMachine:${machine}`), name: machine };
    }
    case 'aws:glue/job:Job': {
      const job = inputs.name ?? autoName(name);
      return { arn: arn('glue', `job/${job}`), name: job };
    }
    case 'aws:cloudwatch/logGroup:LogGroup': {
      const group = inputs.name ?? autoName(name);
      return { arn: arn('logs', `log-group:${group}`), name: group };
    }
    case 'aws:redshiftserverless/namespace:Namespace':
      return {
        arn: arn('redshift-serverless', `namespace/${createHash('sha256').update(name).digest('hex').slice(0, 8)}-0000-4000-8000-000000000000`),
        adminPasswordSecretArn: arn('secretsmanager', `secret:redshift!${inputs.namespaceName}-${unsecret(inputs.adminUsername) ?? 'admin'}-AbCdEf`),
      };
    case 'aws:redshiftserverless/workgroup:Workgroup':
      return { arn: arn('redshift-serverless', `workgroup/${createHash('sha256').update(name).digest('hex').slice(0, 8)}-0000-4000-8000-000000000000`) };
    case 'aws:ec2/vpcEndpoint:VpcEndpoint':
      return { prefixListId: 'pl-6ea54007' };
    default:
      return { arn: arn('mock', `${type.split(':').pop() ?? 'resource'}/${name}`) };
  }
}

pulumi.runtime.setAllConfig(config);
await pulumi.runtime.setMocks(
  {
    newResource(args) {
      const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
      return { id: args.custom ? (state.id as string | undefined) ?? `${args.name}-id` : '', state };
    },
    call(args) {
      switch (args.token) {
        case 'aws:index/getCallerIdentity:getCallerIdentity':
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/offline`, userId: 'AIDAOFFLINE', id: ACCOUNT };
        case 'aws:index/getPartition:getPartition':
          return { partition: 'aws', dnsSuffix: 'amazonaws.com', reverseDnsPrefix: 'com.amazonaws', id: 'aws' };
        case 'aws:index/getRegion:getRegion':
          return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        case 'aws:index/getAvailabilityZones:getAvailabilityZones':
          return { names: ['a', 'b', 'c'].map((z) => `${region}${z}`), zoneIds: ['az1', 'az2', 'az3'], id: region };
        default:
          throw new Error(`captureStack: unmocked call ${args.token}`);
      }
    },
  },
  'ecomdw',
  stack,
  false,
);

const program = (await import(pathToFileURL(path.join(REPO, 'infra/index.ts')).href)) as Record<string, pulumi.Output<unknown>>;
const valueOf = <T>(output: pulumi.Output<T> | unknown): Promise<T> => new Promise((resolve) => pulumi.output(output as T).apply((v) => resolve(v as T)));

const outputs = {
  lakeBucket: await valueOf<string>(program.lakeBucket),
  artifactsBucket: await valueOf<string>(program.artifactsBucket),
  workgroupName: await valueOf<string>(program.redshiftWorkgroup),
  database: await valueOf<string>(program.redshiftDatabase),
  adminSecretArn: await valueOf<string>(program.redshiftAdminSecretArn),
  copyRoleArn: await valueOf<string>(program.redshiftCopyRoleArn),
  alertTopicArn: await valueOf<string>(program.alertTopicArn),
  stateMachineArn: await valueOf<string>(program.pipelineStateMachineArn),
  dashboardUrl: await valueOf<string>(program.dashboardUrl),
};
// The program registers resources while outputs resolve: wait until it is quiet.
for (let last = -1, quiet = 0; quiet < 5; ) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (resources.length === last) quiet += 1;
  else [last, quiet] = [resources.length, 0];
}

const only = (type: string): Recorded => {
  const found = resources.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as Recorded;
};
const logGroupsByName = new Map(resources.filter((r) => r.type === 'aws:cloudwatch/logGroup:LogGroup').map((r) => [r.state.name as string, r]));

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const functions: DeployedFunction[] = [];
for (const fn of resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
  const name = fn.state.name as string;
  const assets = (await fn.inputs.code.assets) as Record<string, { text?: Promise<string>; path?: Promise<string> }>;
  const taskRoot = path.join(outDir, 'functions', name);
  mkdirSync(taskRoot, { recursive: true });
  for (const [file, asset] of Object.entries(assets)) {
    if (asset.text !== undefined) writeFileSync(path.join(taskRoot, file), await asset.text);
    else if (asset.path !== undefined) cpSync(await asset.path, path.join(taskRoot, file), { recursive: true });
    else throw new Error(`function ${name}: asset ${file} is neither text nor a file archive`);
  }
  const logGroup = fn.inputs.loggingConfig?.logGroup as string | undefined;
  if (logGroup && !logGroupsByName.has(logGroup)) throw new Error(`function ${name} logs to ${logGroup}, which the stack does not create`);
  functions.push({
    handlerName: fn.name.split('-').pop() as string,
    name,
    arn: fn.state.arn as string,
    handler: fn.inputs.handler as string,
    runtime: fn.inputs.runtime as string,
    memoryMb: Number(fn.inputs.memorySize),
    timeoutSeconds: Number(fn.inputs.timeout),
    environment: (fn.inputs.environment?.variables ?? {}) as Record<string, string>,
    logGroupName: logGroup ?? `/aws/lambda/${name}`,
    taskRoot,
    bundleBytes: Buffer.byteLength(readFileSync(path.join(taskRoot, 'index.mjs'))),
  });
}

const job = only('aws:glue/job:Job');
const machine = only('aws:sfn/stateMachine:StateMachine');
const objects: DeployedObject[] = [];
for (const object of resources.filter((r) => r.type === 'aws:s3/bucketObjectv2:BucketObjectv2')) {
  const source = object.inputs.source as { path?: Promise<string> } | undefined;
  objects.push({
    bucket: object.inputs.bucket as string,
    key: object.inputs.key as string,
    ...(typeof object.inputs.content === 'string' ? { content: object.inputs.content } : { sourcePath: await source?.path }),
  });
}

const deployed: DeployedStack = {
  stack,
  region,
  accountId: ACCOUNT,
  lakeBucket: outputs.lakeBucket,
  artifactsBucket: outputs.artifactsBucket,
  alertTopicArn: outputs.alertTopicArn,
  stateMachine: { name: machine.state.name as string, arn: outputs.stateMachineArn, definition: machine.inputs.definition as string },
  warehouse: { workgroupName: outputs.workgroupName, database: outputs.database, adminSecretArn: outputs.adminSecretArn, copyRoleArn: outputs.copyRoleArn },
  functions,
  glueJob: {
    name: job.state.name as string,
    arn: job.state.arn as string,
    glueVersion: job.inputs.glueVersion as string,
    scriptLocation: job.inputs.command.scriptLocation as string,
    defaultArguments: job.inputs.defaultArguments as Record<string, string>,
    maxConcurrentRuns: Number(job.inputs.executionProperty?.maxConcurrentRuns ?? 1),
    timeoutMinutes: Number(job.inputs.timeout),
  },
  objects,
};
writeFileSync(path.join(outDir, STACK_FILE), JSON.stringify(deployed, null, 2));
process.exit(0);
