import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isNativeError } from 'node:util/types';
import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundleHandlers } from '../infra/bundle.js';
import { makeHandler, STEP_DEADLINE_MARGIN_MS } from '../functions/handlers/makeHandler.js';
import type { SourceTable } from '../functions/core/contract.js';
import type { Row, Statement, WarehouseEngine } from '../functions/core/engine/types.js';
import { cloudStepContext } from '../functions/handlers/cloudContext.js';
import { engineFromEnv } from '../functions/core/engine/fromEnv.js';
import { RedshiftEngine } from '../functions/core/engine/redshiftEngine.js';
import { ConfigError, DataQualityError, LakeError, WarehouseStatementError, WarehouseThrottledError } from '../functions/core/errors.js';
import type { Lake } from '../functions/core/lake/lake.js';
import { S3Lake, type S3LakeClient, type S3ListObjectsInput } from '../functions/core/lake/s3Lake.js';
import { sqlRoot as currentSqlRoot, useSqlRoot } from '../functions/core/sql/files.js';
import type { NormalizeManifest } from '../functions/core/lake/manifest.js';
import { createLogger, createMetrics, createTracer } from '../functions/core/observability.js';
import { stepEntry } from '../functions/core/pipelineManifest.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { PIPELINE_STEPS, PIPELINE_STEP_NAMES, type PipelineStepName } from '../functions/core/steps/registry.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:ecomdw-test-pipeline:4f1c2b9e';
const PAYLOAD = { executionId: EXECUTION, batchId: '2024-01-02', runId: '2024-01-02-20240103T010000-a1b2c3', tables: ['customers', 'orders'] };

/** What Lambda passes as the second argument, as far as the Powertools middlewares read it. */
function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'ecomdw-test-loadStaging',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ecomdw-test-loadStaging',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/ecomdw/test/lambda/loadStaging',
    logStreamName: '2024/01/03/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A warehouse that records transactions and answers queries from a function of the SQL. */
class RecordingEngine implements WarehouseEngine {
  public readonly dialect = 'redshift' as const;
  public readonly transactions: Statement[][] = [];
  public constructor(private readonly answer: (sql: string) => Row[] = () => []) {}
  public async transaction(statements: readonly Statement[]): Promise<void> {
    this.transactions.push([...statements]);
  }
  public loadParquet(table: string, columns: readonly string[], lakePrefix: string): Statement {
    return { label: `load ${table}`, sql: `copy ${table} (${columns.join(', ')}) from '${lakePrefix}'` };
  }
  public async query(statement: Statement): Promise<Row[]> {
    return this.answer(statement.sql);
  }
  public async close(): Promise<void> {}
}

function manifest(table: SourceTable, rawRows: number, quarantinedRows: number): NormalizeManifest {
  return {
    table,
    batchId: PAYLOAD.batchId,
    rawRows,
    silverRows: rawRows - quarantinedRows,
    quarantinedRows,
    files: [],
    rejectReasons: {},
    normalizedAt: '2024-01-03T01:00:00.000Z',
  };
}

const MANIFESTS: Partial<Record<SourceTable, NormalizeManifest>> = { customers: manifest('customers', 10, 2), orders: manifest('orders', 25, 0) };

const LAKE: Lake = {
  location: 's3://ecomdw-test-lake',
  listRawBatches: async () => new Map(),
  listRawFiles: async () => [],
  listRawObjects: async () => [],
  hashObject: async () => '0'.repeat(64),
  readManifest: async (table) => MANIFESTS[table] ?? null,
};

/** A handler with injected context, logger, metrics and tracer, and what it logged and published. */
function harness(step: PipelineStepName, engine: WarehouseEngine = new RecordingEngine()) {
  // Dev mode: the logger writes pretty JSON through the global console (spied below), metrics print nothing.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  const logger = createLogger();
  const metrics = createMetrics(logger);
  const published: EmfOutput[] = [];
  const publish = metrics.publishStoredMetrics.bind(metrics);
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    if (metrics.hasStoredMetrics()) published.push(metrics.serializeMetrics());
    return publish();
  });
  const logs: Record<string, unknown>[] = [];
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => {
      logs.push(JSON.parse(String(line)) as Record<string, unknown>);
    });
  }
  const stepContext: StepContext = { engine, lake: LAKE, config: TEST_CONFIG };
  const buildContext = vi.fn(async () => stepContext);
  const handler = makeHandler(step, { context: buildContext, logger, metrics, tracer: createTracer() });
  return { handler, published, logs, buildContext, stepContext };
}

/** The metric values of an EMF blob, keyed by name. */
function valuesOf(blob: EmfOutput | undefined): Record<string, unknown> {
  const names = blob?._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name) ?? [];
  return Object.fromEntries(names.map((name) => [name, (blob as unknown as Record<string, unknown>)[name]]));
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('A pipeline Lambda handler', () => {
  it('runs the same step as the local runner, with the state payload, and returns its result as it is', async () => {
    // Prepare
    const engine = new RecordingEngine((sql) =>
      /from audit\.table_loads/.test(sql) ? [{ table_name: 'customers', staged_rows: 8 }, { table_name: 'orders', staged_rows: 25 }] : [],
    );
    const { handler, stepContext } = harness('LoadStaging', engine);
    const step = vi.spyOn(PIPELINE_STEPS, 'LoadStaging');

    // Act
    const result = await handler(PAYLOAD, lambdaContext());

    // Assess
    expect(step).toHaveBeenCalledTimes(1);
    expect(step).toHaveBeenCalledWith(stepContext, PAYLOAD);
    expect(result).toBe(await step.mock.results[0]!.value);
    expect(result).toMatchObject({ tables: [{ table: 'customers', rawRows: 10, stagedRows: 8 }, { table: 'orders', rawRows: 25, stagedRows: 25 }] });
    // the step's own transaction, then the recorder's: its figures into audit.metrics, as the local runner records them
    expect(engine.transactions).toHaveLength(2);
  });

  it('records the step\'s figures and its duration in audit.metrics under the run, replacing the run\'s earlier figures of the step', async () => {
    // Prepare
    const engine = new RecordingEngine((sql) => (/from audit\.table_loads/.test(sql) ? [{ table_name: 'customers', staged_rows: 8 }, { table_name: 'orders', staged_rows: 25 }] : []));
    const { handler } = harness('LoadStaging', engine);

    // Act
    await handler(PAYLOAD, lambdaContext());

    // Assess
    const [clear, insert] = engine.transactions[1] ?? [];
    expect(clear?.sql).toMatch(/^delete from audit\.metrics where run_id = :run_id and \(\(step = :step_0 and metric in \(:metric_0_0, :metric_0_1\)\)\)$/);
    expect(clear?.params).toEqual({ run_id: PAYLOAD.runId, step_0: 'LoadStaging', metric_0_0: 'RowsIngested', metric_0_1: 'RowsQuarantined' });
    expect(insert?.sql).toMatch(/^insert into audit\.metrics \(run_id, batch_id, step, table_name, metric, metric_value, unit, recorded_at\)/);
    const rows = Array.from({ length: 5 }, (_, i) => [insert?.params?.[`step_${i}`], insert?.params?.[`table_name_${i}`], insert?.params?.[`metric_${i}`], insert?.params?.[`unit_${i}`]]);
    expect(rows).toEqual([
      ['LoadStaging', 'customers', 'RowsIngested', 'Count'],
      ['LoadStaging', 'customers', 'RowsQuarantined', 'Count'],
      ['LoadStaging', 'orders', 'RowsIngested', 'Count'],
      ['LoadStaging', 'orders', 'RowsQuarantined', 'Count'],
      ['LoadStaging', '-', 'StepDuration', 'Milliseconds'],
    ]);
    expect([insert?.params?.metric_value_0, insert?.params?.metric_value_3]).toEqual([10, 0]);
    expect(insert?.params).toMatchObject({ run_id: PAYLOAD.runId, batch_id: PAYLOAD.batchId });
    expect(insert?.params).not.toHaveProperty('step_5');
  });

  it('writes nothing to audit.metrics for a discovery that found no batch, nor for RecordFailure', async () => {
    // Prepare
    const discovery = harness('DiscoverBatch');
    vi.spyOn(PIPELINE_STEPS, 'DiscoverBatch').mockResolvedValue({
      batchId: null,
      runId: null,
      tables: [],
      pendingAfter: 0,
      reason: 'every batch is done',
      changedBatches: [],
      strayFiles: [],
      metrics: [{ name: 'StrayRawFiles', value: 2, unit: 'Count' }],
    });
    const failure = harness('RecordFailure');

    // Act
    await discovery.handler({ executionId: EXECUTION, request: {} }, lambdaContext());
    await failure.handler({ batch: { batchId: PAYLOAD.batchId, runId: PAYLOAD.runId }, error: { Error: 'Boom', Cause: 'x' } }, lambdaContext());

    // Assess
    const metricWrites = (engine: WarehouseEngine) => (engine as RecordingEngine).transactions.flat().filter((s) => /audit\.metrics/.test(s.sql));
    expect(metricWrites(discovery.stepContext.engine)).toEqual([]);
    expect(metricWrites(failure.stepContext.engine)).toEqual([]);
    // RecordFailure's own transaction still ran
    expect((failure.stepContext.engine as RecordingEngine).transactions).toHaveLength(1);
  });

  it('publishes each table\'s figures with environment, step and table dimensions, then StepDuration with environment and step', async () => {
    // Prepare
    const { handler, published } = harness('LoadStaging');

    // Act
    await handler(PAYLOAD, lambdaContext());

    // Assess
    expect(published.map((blob) => blob._aws.CloudWatchMetrics[0]!.Namespace)).toEqual(['ecomdw', 'ecomdw', 'ecomdw']);
    expect(published.map((blob) => blob._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([
      [['environment', 'step', 'table']],
      [['environment', 'step', 'table']],
      [['environment', 'step']],
    ]);
    expect(published[0]).toMatchObject({ environment: 'test', step: 'LoadStaging', table: 'customers' });
    expect(valuesOf(published[0])).toEqual({ RowsIngested: 10, RowsQuarantined: 2 });
    expect(published[1]).toMatchObject({ environment: 'test', step: 'LoadStaging', table: 'orders' });
    expect(valuesOf(published[1])).toEqual({ RowsIngested: 25, RowsQuarantined: 0 });
    expect(published[2]).toMatchObject({ environment: 'test', step: 'LoadStaging' });
    expect(published[2]).not.toHaveProperty('table');
    expect(Object.keys(valuesOf(published[2]))).toEqual(['StepDuration']);
    expect(published[2]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: 'StepDuration', Unit: 'Milliseconds' }]);
    for (const blob of published) expect(blob).not.toHaveProperty('service');
  });

  it('publishes VersionsCreated per dimension table from BuildDimensions', async () => {
    // Prepare
    const engine = new RecordingEngine((sql) =>
      /from history\.batch_created_versions/.test(sql)
        ? [
            { table_name: 'dim_customers', metric: 'VersionsCreated', metric_value: 4 },
            { table_name: 'dim_products', metric: 'VersionsCreated', metric_value: 7 },
          ]
        : [],
    );
    const { handler, published } = harness('BuildDimensions', engine);

    // Act
    const result = await handler(PAYLOAD, lambdaContext());

    // Assess
    expect(result).toMatchObject({ versionsCreated: 11 });
    expect(published.map((blob) => [blob.table, valuesOf(blob).VersionsCreated])).toEqual([
      ['dim_customers', 4],
      ['dim_products', 7],
      [undefined, undefined],
    ]);
  });

  it('publishes TestsFailed and TestsWarned of ValidateBatch with the step dimensions only', async () => {
    // Prepare
    const engine = new RecordingEngine((sql) =>
      /from audit\.test_results/.test(sql)
        ? [
            { test_name: 'a', model: 'm', severity: 'error', status: 'pass', failing_rows: 0, sample_keys: null },
            { test_name: 'b', model: 'm', severity: 'warn', status: 'warn', failing_rows: 3, sample_keys: 'x, y, z' },
          ]
        : [],
    );
    const { handler, published } = harness('ValidateBatch', engine);

    // Act
    await handler(PAYLOAD, lambdaContext());

    // Assess
    expect(published).toHaveLength(1);
    expect(published[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['environment', 'step']]);
    expect(valuesOf(published[0])).toMatchObject({ TestsFailed: 0, TestsWarned: 1 });
    expect(valuesOf(published[0]).StepDuration).toEqual(expect.any(Number));
  });

  it('publishes TestsFailed of a ValidateBatch whose error-severity test failed, before the step fails', async () => {
    // Prepare
    const engine = new RecordingEngine((sql) =>
      /from audit\.test_results/.test(sql)
        ? [
            { test_name: 'fact_payments.unique', model: 'fact_payments', severity: 'error', status: 'fail', failing_rows: 2, sample_keys: 'p-1, p-2' },
            { test_name: 'b', model: 'm', severity: 'warn', status: 'warn', failing_rows: 3, sample_keys: 'x, y, z' },
          ]
        : [],
    );
    const { handler, published } = harness('ValidateBatch', engine);

    // Act
    const error = await handler(PAYLOAD, lambdaContext()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DataQualityError);
    expect(published).toHaveLength(1);
    expect(valuesOf(published[0])).toMatchObject({ TestsFailed: 1, TestsWarned: 1 });
  });

  it('bounds the warehouse work by the time the invocation has left, minus a margin to cancel and report', async () => {
    // Prepare
    const deadlines: (number | null)[] = [];
    const engine = Object.assign(new RecordingEngine(), { setDeadline: (at: number | null) => deadlines.push(at) });
    const { handler } = harness('LoadStaging', engine);
    const before = Date.now();

    // Act
    await handler(PAYLOAD, lambdaContext());

    // Assess: lambdaContext() has 60 s left; the bound is lifted when the step ends.
    expect(deadlines).toHaveLength(2);
    expect(deadlines[1]).toBeNull();
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + 60_000 - STEP_DEADLINE_MARGIN_MS);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 60_000 - STEP_DEADLINE_MARGIN_MS);
  });

  it('logs structured JSON lines carrying the execution id as correlation id, and the batch and run ids', async () => {
    // Prepare
    const { handler, logs } = harness('LoadStaging');

    // Act
    await handler(PAYLOAD, lambdaContext());

    // Assess
    expect(logs.map((line) => line.message)).toEqual(['step started', 'step finished']);
    for (const line of logs) {
      expect(line).toMatchObject({
        service: 'ecomdw',
        correlation_id: EXECUTION,
        execution_id: EXECUTION,
        batch_id: PAYLOAD.batchId,
        run_id: PAYLOAD.runId,
        step: 'LoadStaging',
        function_name: 'ecomdw-test-loadStaging',
        function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      });
    }
  });

  it('finds the batch of RecordFailure, which gets the whole state, and passes the alert through', async () => {
    // Prepare
    const { handler, logs } = harness('RecordFailure');
    const state = {
      request: {},
      batch: { batchId: '2024-01-02', runId: PAYLOAD.runId, tables: ['orders'] },
      error: { Error: 'DataQualityError', Cause: '{"errorMessage":"batch 2024-01-02: 1 error-severity test(s) failed"}' },
    };

    // Act
    const alert = await handler(state, lambdaContext());

    // Assess
    expect(alert).toEqual({
      subject: 'ecomdw test: batch 2024-01-02 failed (DataQualityError)',
      message: 'DataQualityError: batch 2024-01-02: 1 error-severity test(s) failed',
      errorName: 'DataQualityError',
    });
    expect(logs[0]).toMatchObject({ batch_id: '2024-01-02', run_id: PAYLOAD.runId, correlation_id: PAYLOAD.runId });
  });

  it('takes the batch DiscoverBatch found into its last log line', async () => {
    // Prepare
    const { handler, logs } = harness('DiscoverBatch');
    vi.spyOn(PIPELINE_STEPS, 'DiscoverBatch').mockResolvedValue({
      batchId: '2024-01-05',
      runId: 'run-5',
      tables: ['orders'],
      pendingAfter: 0,
      reason: null,
      changedBatches: [],
      strayFiles: [],
      metrics: [],
    });

    // Act
    await handler({ request: {}, executionId: EXECUTION }, lambdaContext());

    // Assess
    expect(logs[0]).not.toHaveProperty('batch_id');
    expect(logs.at(-1)).toMatchObject({ message: 'step finished', batch_id: '2024-01-05', run_id: 'run-5', correlation_id: EXECUTION });
  });

  it.each([
    ['WarehouseThrottledError', new WarehouseThrottledError('the warehouse is busy (ThrottlingException): Rate exceeded')],
    ['WarehouseStatementError', new WarehouseStatementError('warehouse statement failed (facts/fact_payments.sql#2): boom', 'insert ...')],
    ['DataQualityError', new DataQualityError('batch 2024-01-02: 1 error-severity test(s) failed', ['fact_payments.unique'])],
    ['AccessDeniedException', Object.assign(new Error('not authorized to perform redshift-data:BatchExecuteStatement'), { name: 'AccessDeniedException' })],
  ])('rethrows %s unchanged, as the native error whose name Lambda reports as errorType', async (name, thrown) => {
    // Prepare
    const { handler, logs, published } = harness('BuildFacts');
    vi.spyOn(PIPELINE_STEPS, 'BuildFacts').mockRejectedValue(thrown);

    // Act
    const error = await handler(PAYLOAD, lambdaContext()).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess: the Node runtime's toRapidResponse sends errorType = error.name for native errors.
    expect(error).toBe(thrown);
    expect(isNativeError(error)).toBe(true);
    expect((error as Error).name).toBe(name);
    expect(logs.at(-1)).toMatchObject({ level: 'ERROR', message: 'step failed', error: { name, message: thrown.message } });
    expect(published).toHaveLength(1);
    expect(Object.keys(valuesOf(published[0]))).toEqual(['StepDuration']);
  });

  it('builds the step context once per container', async () => {
    // Prepare
    const { handler, buildContext } = harness('MarkBatchDone');
    const figures = { versionsCreated: 1, factRowsUpserted: 2, testsPassed: 3, testsWarned: 0, testsFailed: 0 };

    // Act
    await handler({ ...PAYLOAD, ...figures }, lambdaContext());
    await handler({ ...PAYLOAD, ...figures }, lambdaContext());

    // Assess
    expect(buildContext).toHaveBeenCalledTimes(1);
  });

  it('fails with the configuration error and builds the context again on the next invocation', async () => {
    // Prepare
    const { handler, buildContext, stepContext } = harness('MarkBatchDone');
    const missing = new ConfigError('invalid Redshift configuration: REDSHIFT_WORKGROUP is missing');
    buildContext.mockRejectedValueOnce(missing).mockResolvedValue(stepContext);
    const figures = { versionsCreated: 1, factRowsUpserted: 2, testsPassed: 3, testsWarned: 0, testsFailed: 0 };

    // Act
    const first = await handler({ ...PAYLOAD, ...figures }, lambdaContext()).catch((e: unknown) => e);
    await handler({ ...PAYLOAD, ...figures }, lambdaContext());

    // Assess
    expect(first).toBe(missing);
    expect(buildContext).toHaveBeenCalledTimes(2);
  });
});

describe('The handler modules the infra program bundles', () => {
  const fileOf = (step: PipelineStepName): string => path.join(REPO, 'functions/handlers', `${stepEntry(step).handler}.ts`);

  it.each(PIPELINE_STEP_NAMES)('exports a handler for the %s state', async (step) => {
    // Prepare
    const file = fileOf(step);

    // Act
    const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };

    // Assess
    expect(existsSync(file)).toBe(true);
    expect(typeof module.handler).toBe('function');
  });

  it('keeps error names through the minified ESM bundle, so the state machine still matches them', async () => {
    // Prepare: bundled exactly as infra/functions.ts does; no ECOMDW_ENGINE, so the context cannot be built.
    const bundle = bundleHandlers({ discoverBatch: fileOf('DiscoverBatch') }, { workingDir: REPO }).discoverBatch!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-bundle-'));
    const file = path.join(dir, 'index.mjs');
    writeFileSync(file, bundle.code);
    writeFileSync(`${file}.map`, bundle.sourceMap);
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('ECOMDW_ENGINE', '');
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    try {
      // Act
      const { handler } = (await import(pathToFileURL(file).href)) as { handler: (event: unknown, context: Context) => Promise<unknown> };
      const error = await handler({ request: {} }, lambdaContext()).catch((e: unknown) => e);

      // Assess
      expect(isNativeError(error)).toBe(true);
      expect((error as Error).name).toBe('ConfigError');
      expect((error as Error).message).toMatch(/ECOMDW_ENGINE must be one of redshift/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An in-memory bucket behind the S3LakeClient shape, paging ListObjectsV2 like S3 (prefixes and keys in key order). */
function fakeBucket(objects: Record<string, string>, pageSize = 2) {
  const calls: S3ListObjectsInput[] = [];
  const client: S3LakeClient = {
    async listObjectsV2(input) {
      calls.push(input);
      const entries = new Set<string>();
      for (const key of Object.keys(objects).sort()) {
        if (!key.startsWith(input.Prefix ?? '')) continue;
        const rest = key.slice((input.Prefix ?? '').length);
        const cut = input.Delimiter ? rest.indexOf(input.Delimiter) : -1;
        entries.add(cut >= 0 ? `P:${(input.Prefix ?? '') + rest.slice(0, cut + 1)}` : `K:${key}`);
      }
      const all = [...entries];
      const start = Number(input.ContinuationToken ?? 0);
      const page = all.slice(start, start + pageSize);
      const more = start + pageSize < all.length;
      return {
        Contents: page.filter((e) => e.startsWith('K:')).map((e) => ({ Key: e.slice(2) })),
        CommonPrefixes: page.filter((e) => e.startsWith('P:')).map((e) => ({ Prefix: e.slice(2) })),
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
      };
    },
    async getObject({ Key }) {
      const body = objects[Key];
      if (body === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      return { Body: { transformToString: async () => body } };
    },
  };
  return { client, calls };
}

describe('The cloud step context', () => {
  const ENV = {
    ECOMDW_ENGINE: 'redshift',
    ECOMDW_ENVIRONMENT: 'prod',
    REDSHIFT_WORKGROUP: 'ecomdw-prod',
    REDSHIFT_DATABASE: 'ecomdw',
    REDSHIFT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecomdw-admin-AbCdEf',
    REDSHIFT_COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/ecomdw-prod-copy',
    LAKE_BUCKET: 'ecomdw-prod-lake',
  };

  it('opens the Redshift engine and the S3 lake from the Lambda environment, through the instrumenting wrapper', async () => {
    // Prepare
    const { client } = fakeBucket({});
    const instrumented: unknown[] = [];

    // Act
    const context = await cloudStepContext(ENV, { s3Client: client, instrument: (c) => (instrumented.push(c), c) });

    // Assess
    expect(context.engine).toBeInstanceOf(RedshiftEngine);
    expect(context.engine.dialect).toBe('redshift');
    expect(context.lake).toBeInstanceOf(S3Lake);
    expect(context.lake.location).toBe('s3://ecomdw-prod-lake');
    expect(context.config.environment).toBe('prod');
    expect(instrumented).toHaveLength(1);
  });

  it('resolves the configuration at the cold start: SQL read from ECOMDW_SQL_ROOT, a bad value refused naming its variable', async () => {
    // Prepare
    const { client } = fakeBucket({});
    const sqlRoot = path.join(REPO, 'sql');
    try {
      // Act
      const context = await cloudStepContext({ ...ENV, ECOMDW_SQL_ROOT: '/var/task/sql', ECOMDW_FRESHNESS: '{"orders":{"errorAfterHours":24}}' }, { s3Client: client });
      const act = cloudStepContext({ ...ENV, ECOMDW_TRACE_SQL: 'on' }, { s3Client: client });

      // Assess
      expect(currentSqlRoot()).toBe('/var/task/sql');
      expect(context.config.freshness.orders).toEqual({ warnAfterHours: 24, errorAfterHours: 24 });
      await expect(act).rejects.toThrow(ConfigError);
      await expect(act).rejects.toThrow("ECOMDW_TRACE_SQL must be 1 or 0, got 'on'");
    } finally {
      useSqlRoot(sqlRoot);
    }
  });

  it.each([
    [{ ECOMDW_ENGINE: undefined }, /ECOMDW_ENGINE must be one of redshift/],
    [{ ECOMDW_ENGINE: 'duckdb' }, /ECOMDW_ENGINE must be one of redshift in a Lambda handler, got "duckdb"/],
    [{ REDSHIFT_WORKGROUP: undefined }, /REDSHIFT_WORKGROUP is missing/],
  ])('refuses %j with a ConfigError', (change, message) => {
    // Prepare
    const env = { ...ENV, ...change };

    // Act
    const act = (): unknown => engineFromEnv(env);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it('lists the batches of every source table from key prefixes, across pages, ignoring other folders', async () => {
    // Prepare
    const { client } = fakeBucket({
      'raw/customers/batch_id=2024-01-01/a.csv': '',
      'raw/customers/batch_id=2024-01-02/a.csv': '',
      'raw/customers/notes/readme.txt': '',
      'raw/orders/batch_id=2024-01-02/a.jsonl': '',
      'raw/orders/batch_id=2024-01-02/b.parquet': '',
      'raw/unknown_table/batch_id=2024-01-01/a.csv': '',
      'silver/orders/batch_id=2024-01-01/part-0.parquet': '',
    });
    const lake = new S3Lake('ecomdw-prod-lake', client);

    // Act
    const batches = await lake.listRawBatches();

    // Assess
    expect([...batches]).toEqual([
      ['2024-01-01', ['customers']],
      ['2024-01-02', ['customers', 'orders']],
    ]);
  });

  it('lists the raw files of one batch folder like the local lake: sorted, no hidden files, no subfolders', async () => {
    // Prepare
    const prefix = 'raw/orders/batch_id=2024-01-02';
    const { client } = fakeBucket({
      [`${prefix}/b.parquet`]: '',
      [`${prefix}/a.csv`]: '',
      [`${prefix}/_SUCCESS`]: '',
      [`${prefix}/.keep`]: '',
      [`${prefix}/nested/c.csv`]: '',
      'raw/orders/batch_id=2024-01-020/x.csv': '',
    });

    // Act
    const files = await new S3Lake('ecomdw-prod-lake', client).listRawFiles('orders', '2024-01-02');

    // Assess
    expect(files).toEqual([
      { path: `${prefix}/a.csv`, name: 'a.csv' },
      { path: `${prefix}/b.parquet`, name: 'b.parquet' },
    ]);
  });

  it('reads a manifest, and answers null when normalization wrote none', async () => {
    // Prepare
    const written = manifest('orders', 25, 1);
    const { client } = fakeBucket({ 'silver/orders/batch_id=2024-01-02/_manifest.json': JSON.stringify(written) });
    const lake = new S3Lake('ecomdw-prod-lake', client);

    // Act
    const found = await lake.readManifest('orders', '2024-01-02');
    const missing = await lake.readManifest('payments', '2024-01-02');

    // Assess
    expect(found).toEqual(written);
    expect(missing).toBeNull();
  });

  it('reports S3 failures other than a missing key as LakeError, keeping the cause', async () => {
    // Prepare
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const client: S3LakeClient = { listObjectsV2: async () => Promise.reject(denied), getObject: async () => Promise.reject(denied) };
    const lake = new S3Lake('ecomdw-prod-lake', client);

    // Act
    const listing = await lake.listRawBatches().catch((e: unknown) => e);
    const reading = await lake.readManifest('orders', '2024-01-02').catch((e: unknown) => e);

    // Assess
    expect(listing).toBeInstanceOf(LakeError);
    expect((listing as Error).message).toBe('cannot list s3://ecomdw-prod-lake/raw/: AccessDenied: Access Denied');
    expect(reading).toBeInstanceOf(LakeError);
    expect((reading as Error).cause).toBe(denied);
  });

  it.each(['s3://ecomdw-prod-lake', 'ecomdw-prod-lake/raw', 'UPPER', ''])('refuses the bucket name %j', (bucket) => {
    // Act
    const act = (): unknown => new S3Lake(bucket, fakeBucket({}).client);

    // Assess
    expect(act).toThrow(ConfigError);
  });
});
