import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { S3 } from '@aws-sdk/client-s3';
import type { OfflinePostgres, PostgresConnection } from '../postgres/embeddedPostgres.js';
import { S3Objects } from '../postgres/parquetCopy.js';
import { DataApiServer, type DataApiFault } from '../redshiftData/dataApiServer.js';
import { RedshiftSessions } from '../redshiftData/postgresSessions.js';
import type { OfflineS3 } from '../s3/motoServer.js';
import { SparkGlue } from '../glue/sparkGlue.js';
import { LocalLambda, type LambdaPlatform } from '../lambda/localLambda.js';
import { XrayDaemon } from '../lambda/xrayDaemon.js';
import type { DeployedStack } from './deployedStack.js';
import { runCloudStateMachine, type CloudExecutionResult } from './runCloudStateMachine.js';

/** Each identity of the stack signs with its own (dummy) access key: the Data API keeps statements per owner. */
export function accessKeyOf(identity: string): string {
  return `ASIA${identity.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`.slice(0, 40);
}

export interface CloudOfflineOptions {
  readonly stack: DeployedStack;
  /** A running offline PostgreSQL: the workgroup's database is created on it. */
  readonly postgres: OfflinePostgres;
  /** A running S3 API (moto): the stack's buckets are created on it. */
  readonly s3: OfflineS3;
  /** Name of the database standing in for the workgroup's (default: `cloud_<stack>`). */
  readonly databaseName?: string;
  /** Faults the Data API injects. */
  readonly faults?: readonly DataApiFault[];
}

/**
 * The stack, offline: its buckets and uploaded objects on the S3 server, its
 * warehouse behind a Redshift Data API server on PostgreSQL, its functions as
 * local Lambdas running their deployment packages, its Glue job under Spark,
 * and `execute` running its deployed state machine. The functions and the
 * job reach the services only through the AWS SDK and their environment
 * (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_REDSHIFT_DATA), as in AWS.
 */
export class CloudOffline {
  private lambdas = new Map<string, LocalLambda>();

  private constructor(
    public readonly stack: DeployedStack,
    public readonly warehouse: PostgresConnection,
    public readonly dataApi: DataApiServer,
    public readonly glue: SparkGlue,
    public readonly xray: XrayDaemon,
    /** A client of the S3 server, as an operator with full access (uploads, checks). */
    public readonly s3: S3,
    private readonly sessions: RedshiftSessions,
    private readonly platform: LambdaPlatform,
  ) {
    this.useFunctions({});
  }

  /** Creates the buckets and uploads the stack's objects, starts the Data API server and the Spark driver. */
  public static async start(options: CloudOfflineOptions): Promise<CloudOffline> {
    const { stack } = options;
    // What is started so far is stopped again if a later part fails to start.
    const started: (() => Promise<unknown>)[] = [];
    try {
      const operator = accessKeyOf('operator');
      const s3 = new S3({ endpoint: options.s3.endpoint, region: stack.region, forcePathStyle: true, credentials: { accessKeyId: operator, secretAccessKey: 'offline' } });
      started.push(async () => s3.destroy());
      for (const bucket of [stack.lakeBucket, stack.artifactsBucket]) {
        await s3.createBucket({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: stack.region as never } });
      }
      for (const object of stack.objects) {
        const body = object.content ?? readFileSync(object.sourcePath ?? '');
        await s3.putObject({ Bucket: object.bucket, Key: object.key, Body: body });
      }
      const warehouse = await options.postgres.createDatabase(options.databaseName ?? `cloud_${stack.stack}`);
      // COPY reads the lake as the namespace's COPY role would, through the S3 API.
      const copyReader = new S3({ endpoint: options.s3.endpoint, region: stack.region, forcePathStyle: true, credentials: { accessKeyId: accessKeyOf('copyrole'), secretAccessKey: 'offline' } });
      const sessions = await RedshiftSessions.open({ connection: warehouse, copyRoleArn: stack.warehouse.copyRoleArn, objects: new S3Objects(copyReader) });
      started.push(() => sessions.close());
      const dataApi = await DataApiServer.start({
        target: { workgroupName: stack.warehouse.workgroupName, database: stack.warehouse.database, secretArn: stack.warehouse.adminSecretArn },
        sessions,
        faults: options.faults,
      });
      started.push(() => dataApi.close());
      const xray = await XrayDaemon.start();
      started.push(() => xray.stop());
      const glue = await SparkGlue.start(stack.glueJob, {
        s3Endpoint: options.s3.endpoint,
        region: stack.region,
        credentials: { accessKeyId: accessKeyOf('gluerole'), secretAccessKey: 'offline' },
        s3,
      });
      const platform: LambdaPlatform = {
        region: stack.region,
        credentials: (functionName) => ({ accessKeyId: accessKeyOf(functionName), secretAccessKey: 'offline' }),
        endpoints: { AWS_ENDPOINT_URL_S3: options.s3.endpoint, AWS_ENDPOINT_URL_REDSHIFT_DATA: dataApi.endpoint },
        xrayDaemonAddress: xray.address,
      };
      return new CloudOffline(stack, warehouse, dataApi, glue, xray, s3, sessions, platform);
    } catch (error) {
      for (const stop of started.reverse()) await stop().catch(() => undefined);
      throw error;
    }
  }

  /** The functions as now configured, by handler name (discoverBatch, ...). */
  public functions(): Map<string, LocalLambda> {
    return new Map([...this.lambdas.values()].map((l) => [handlerNameOf(this.stack, l.spec.arn), l]));
  }

  /**
   * (Re)creates the functions, with environment variables overridden (none
   * for the stack as deployed). Running environments are stopped: the next
   * invocations are cold starts, as after a configuration update in Lambda.
   */
  public useFunctions(environment: Readonly<Record<string, string>>): void {
    const old = [...this.lambdas.values()];
    this.lambdas = new Map(
      this.stack.functions.map((fn) => [
        fn.arn,
        new LocalLambda(
          {
            name: fn.name,
            arn: fn.arn,
            handler: fn.handler,
            runtime: fn.runtime,
            memoryMb: fn.memoryMb,
            timeoutSeconds: fn.timeoutSeconds,
            environment: { ...fn.environment, ...environment },
            taskRoot: fn.taskRoot,
            logGroupName: fn.logGroupName,
          },
          this.platform,
        ),
      ]),
    );
    void Promise.allSettled(old.map((l) => l.stop()));
  }

  /** Uploads a local lake folder's files (e.g. raw/) to the stack's lake bucket under the same keys. */
  public async uploadLake(lakeDir: string, prefix = 'raw'): Promise<number> {
    const files = walk(path.join(lakeDir, prefix));
    for (let i = 0; i < files.length; i += 16) {
      await Promise.all(
        files.slice(i, i + 16).map((file) =>
          this.s3.putObject({ Bucket: this.stack.lakeBucket, Key: path.relative(lakeDir, file).split(path.sep).join('/'), Body: readFileSync(file) }),
        ),
      );
    }
    return files.length;
  }

  /** Starts an execution of the deployed state machine and waits for its end. */
  public execute(request: Readonly<Record<string, unknown>> = {}): Promise<CloudExecutionResult> {
    return runCloudStateMachine({
      definition: this.stack.stateMachine.definition,
      stateMachineArn: this.stack.stateMachine.arn,
      lambdas: this.lambdas,
      glue: this.glue,
      topicArn: this.stack.alertTopicArn,
      request,
    });
  }

  /** Every key under a prefix of the lake bucket. */
  public async lakeKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.listObjectsV2({ Bucket: this.stack.lakeBucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) });
      keys.push(...(page.Contents ?? []).map((c) => c.Key as string));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  public async stop(): Promise<void> {
    await Promise.allSettled([...this.lambdas.values()].map((l) => l.stop()));
    await Promise.allSettled([this.glue.stop(), this.xray.stop()]);
    await this.dataApi.close();
    await this.sessions.close();
    this.s3.destroy();
  }
}

function handlerNameOf(stack: DeployedStack, arn: string): string {
  return stack.functions.find((f) => f.arn === arn)?.handlerName ?? arn;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
}
