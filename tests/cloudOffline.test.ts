import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type RunSummary } from '../functions/local/localRunner.js';
import { parseFreshness } from '../functions/core/config.js';
import { generateLake, type GenerateSummary } from '../generator/generateLake.js';
import { accessKeyOf, CloudOffline } from '../offline/cloud/cloudOffline.js';
import { captureStack, stackSettings, type DeployedStack } from '../offline/cloud/deployedStack.js';
import type { CloudExecutionResult } from '../offline/cloud/runCloudStateMachine.js';
import { compareWarehouses, type TableComparison } from '../offline/compareWarehouses.js';
import { startPostgres, type OfflinePostgres } from '../offline/postgres/embeddedPostgres.js';
import { startS3, type OfflineS3 } from '../offline/s3/motoServer.js';
import { FRESHNESS_AGE } from './helpers/offlineWarehouse.js';
import { tempDir } from './helpers/tempLake.js';

/**
 * The whole cloud pipeline offline (issue 14, point 4): the dev stack as the
 * Pulumi program would deploy it (captured under mocks), its substituted ASL
 * executed with aws-local-stepfunctions, each Lambda task served by the real
 * esbuild bundle of its handler in its own Node process with the stack's
 * environment, the Glue task by the Glue script under pyspark 3.5.4 through
 * S3A, the warehouse by a Redshift Data API server on PostgreSQL, the lake by
 * moto's S3 API. A multi-batch lake must give the dw tables of the local
 * DuckDB run; then one late batch under the prod stack's freshness thresholds
 * must fail through Catch -> RecordFailure -> PublishAlert.
 */

/** The values of settled promises, or the first failure. */
function fulfilled<T extends readonly PromiseSettledResult<unknown>[]>(results: T): { -readonly [K in keyof T]: T[K] extends PromiseSettledResult<infer V> ? V : never } {
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as never;
}

const REJECT_REASONS = 'select batch_id, table_name, reject_reasons from audit.table_loads order by batch_id, table_name';
/** The steps' own figures in audit.metrics (durations differ by nature; the Glue job records none in the cloud). */
const STEP_FIGURES = `select batch_id, step, table_name, metric, cast(metric_value as bigint) as metric_value, unit from audit.metrics
  where metric <> 'StepDuration' order by batch_id, step, table_name, metric`;

/** Rows of a query on a DuckDB warehouse file, opened read-only. */
async function duckdbRows(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A reject_reasons JSON with the wording of malformed-file reasons dropped (the engines' parsers word them differently). */
function wordingAside(json: string): Record<string, number> {
  if (json === 'null' || json === '-') return {};
  const counts: Record<string, number> = {};
  for (const [reason, n] of Object.entries(JSON.parse(json) as Record<string, number>)) {
    const key = reason.replace(/^(malformed \w+ file):.*$/s, '$1');
    counts[key] = (counts[key] ?? 0) + n;
  }
  return counts;
}

/** The SDK's own attempts (3, standard retry mode) all fail: the error reaches the handler, then the ASL's Retry by name. */
const SDK_ATTEMPTS = 3;

describe('The deployed cloud pipeline, run offline', () => {
  let dir: string;
  let cleanup: () => void;
  let postgres: OfflinePostgres;
  let s3: OfflineS3;
  let stack: DeployedStack;
  let cloud: CloudOffline;
  let generated: GenerateSummary;
  let local: RunSummary;
  let run: CloudExecutionResult;
  let comparison: TableComparison[];
  let warehouse: pg.Client;
  let report: Record<string, unknown> | undefined;
  let reasons: { cloud: Record<string, unknown>[]; local: Record<string, unknown>[] };
  let figures: { cloud: Record<string, unknown>[]; local: Record<string, unknown>[] };
  let durations: Record<string, unknown>[];
  const seconds: Record<string, number> = {};

  const fn = (handlerName: string) => {
    const found = stack.functions.find((f) => f.handlerName === handlerName);
    if (!found) throw new Error(`no function ${handlerName} in the stack`);
    return found;
  };

  beforeAll(async () => {
    // Prepare: the stack, the services and a 3-batch lake, side by side
    let clock = performance.now();
    const lap = (name: string): void => {
      seconds[name] = Math.round((performance.now() - clock) / 100) / 10;
      clock = performance.now();
    };
    ({ dir, cleanup } = tempDir('ecomdw-cloud-'));
    const lakeDir = path.join(dir, 'lake');
    const db = path.join(dir, 'warehouse.duckdb');
    // allSettled, not all: whatever did start is stopped by afterAll even when another part failed.
    const setup = await Promise.allSettled([
      captureStack('dev', path.join(dir, 'stack')),
      startPostgres(),
      startS3(),
      generateLake({ out: lakeDir, scale: 0.02, days: 3, seed: 23, format: 'mixed', startDate: '2024-01-01' }),
    ] as const);
    if (setup[1].status === 'fulfilled') postgres = setup[1].value;
    if (setup[2].status === 'fulfilled') s3 = setup[2].value;
    [stack, , , generated] = fulfilled(setup);
    lap('capture stack, start PostgreSQL and S3, generate lake');
    const dev = stackSettings('dev');
    const started = await Promise.allSettled([
      CloudOffline.start({
        stack,
        postgres,
        s3,
        faults: [
          // Serverless resuming: a submission fails past the SDK's retries; the ASL retries the step by name.
          { operation: 'BatchExecuteStatement', caller: accessKeyOf(fn('buildDimensions').name), after: 1, times: SDK_ATTEMPTS, error: 'DatabaseConnectionException' },
          // A poll fails past the SDK's retries: the engine polls again instead of failing a statement that may commit.
          { operation: 'DescribeStatement', caller: accessKeyOf(fn('loadStaging').name), after: 2, times: SDK_ATTEMPTS, error: 'InternalServerException' },
        ],
      }),
      runPipeline({ lakeDir, dbPath: db, config: { environment: dev.environment, freshness: parseFreshness(dev.freshnessJson) } }),
    ] as const);
    if (started[0].status === 'fulfilled') cloud = started[0].value;
    [, local] = fulfilled(started);
    await cloud.uploadLake(lakeDir);
    lap('start Spark and the Data API, local DuckDB run, upload');

    // Act
    run = await cloud.execute({});
    lap('offline cloud execution');
    comparison = await compareWarehouses(cloud.warehouse, db, {
      schemas: ['dw', 'audit'],
      // reject_reasons is compared below, with the one known difference in wording set aside.
      ignoreColumns: ['batch_id', 'run_id', 'attempts', 'started_at', 'finished_at', 'loaded_at', 'tested_at', 'recorded_at', 'raised_at', 'reject_reasons'],
      // The two runs are minutes apart (the cloud one waits for Spark).
      masks: [FRESHNESS_AGE],
    });
    warehouse = new pg.Client(cloud.warehouse);
    await warehouse.connect();
    reasons = { cloud: (await warehouse.query(REJECT_REASONS)).rows, local: await duckdbRows(db, REJECT_REASONS) };
    figures = { cloud: (await warehouse.query(STEP_FIGURES)).rows, local: await duckdbRows(db, STEP_FIGURES) };
    durations = (await warehouse.query(`select step, count(*)::int as n from audit.metrics where metric = 'StepDuration' group by step order by step`)).rows;
    lap('compare with DuckDB');
    report = summary();
  }, 600_000);

  afterAll(async () => {
    if (report) console.info(`cloud offline run: ${JSON.stringify(report)}`);
    await warehouse?.end();
    await cloud?.stop();
    await Promise.allSettled([s3?.stop(), postgres?.stop()]);
    cleanup?.();
  }, 60_000);

  it('runs every batch of the lake to done through the deployed state machine', async () => {
    // Assess
    expect(local.failure).toBeNull();
    expect(run.failure).toBeNull();
    const ledger = await warehouse.query('select batch_id, status from audit.batches order by batch_id');
    expect(ledger.rows).toEqual(generated.batches.map((batch_id) => ({ batch_id, status: 'done' })));
    expect(run.published).toEqual([]);
  });

  it('builds dw tables equal to the local DuckDB run, surrogate keys included', () => {
    // Assess
    const dw = comparison.filter((c) => c.table.startsWith('dw.'));
    expect(dw.map((c) => c.table)).toEqual(expect.arrayContaining(['dw.dim_customers', 'dw.dim_products', 'dw.dim_date', 'dw.fact_order_items', 'dw.fact_payments']));
    for (const table of dw) {
      expect(table.duckdbRows, table.table).toBeGreaterThan(0);
      expect(table, `${table.table}\n${table.examples.join('\n')}`).toMatchObject({ postgresRows: table.duckdbRows, onlyInDuckdb: 0, onlyInPostgres: 0 });
    }
  });

  it('records the same ledger, row conservation (Spark against DuckDB normalization), test results and warnings', () => {
    // Assess
    for (const name of ['audit.batches', 'audit.table_loads', 'audit.test_results', 'audit.warnings', 'audit.runs']) {
      const table = comparison.find((c) => c.table === name);
      expect(table, `${name}\n${table?.examples.join('\n')}`).toMatchObject({ postgresRows: table?.duckdbRows, onlyInDuckdb: 0, onlyInPostgres: 0 });
    }
  });

  it('quarantines the same rows for the same reasons under Spark as under DuckDB (malformed-file wording aside)', () => {
    // Assess: the Glue job words a malformed file as py4j's "An error occurred while calling o<N>.json." (it keeps the
    // first line of a Py4JJavaError), DuckDB names the byte and line; everything else must match exactly.
    const normalized = (rows: Record<string, unknown>[]) =>
      rows.map((row) => ({ ...row, reject_reasons: wordingAside(String(row.reject_reasons)) }));
    expect(reasons.cloud.length).toBe(generated.batches.length * 6);
    expect(normalized(reasons.cloud)).toEqual(normalized(reasons.local));
  });

  it('reaches the warehouse only through the Data API, each function polling its own statements', () => {
    // Assess
    const { stats } = cloud.dataApi;
    const statements = cloud.dataApi.statements();
    expect(stats.refused).toBe(0);
    expect(stats.failed + stats.aborted).toBe(0);
    // No query reads a bigint the SDK would round (surrogate keys stay inside the warehouse).
    expect(stats.lossyLongValues).toBe(0);
    expect(stats.calls.BatchExecuteStatement).toBeGreaterThan(10);
    expect(stats.calls.ExecuteStatement).toBeGreaterThan(10);
    // Asynchronous for real: every statement was polled at least once before its result was read.
    expect(statements.every((s) => s.polls >= 1 && s.status === 'FINISHED')).toBe(true);
    const owners = new Set(statements.map((s) => s.owner));
    expect([...owners].sort()).toEqual(
      ['discoverBatch', 'loadStaging', 'buildDimensions', 'buildFacts', 'buildMarts', 'validateBatch', 'markBatchDone'].map((h) => accessKeyOf(fn(h).name)).sort(),
    );
  });

  it('retries transient Data API errors: the SDK, the engine (a failed poll) and the ASL by error name', () => {
    // Assess
    expect(cloud.dataApi.stats.injectedFaults).toBe(2 * SDK_ATTEMPTS);
    // The one failed state is BuildDimensions, and the next call is its retry, which succeeds.
    const failedAt = run.calls.findIndex((c) => c.error !== null);
    expect(run.calls.filter((c) => c.error !== null)).toEqual([expect.objectContaining({ state: 'BuildDimensions', error: 'DatabaseConnectionException' })]);
    expect(run.calls[failedAt + 1]).toMatchObject({ state: 'BuildDimensions', error: null });
    // The failed polls cost LoadStaging nothing: it never failed.
    expect(run.calls.filter((c) => c.state === 'LoadStaging')).toHaveLength(generated.batches.length);
  });

  it('records every step\'s figures in audit.metrics from the Lambdas, the same as the local run, and each step\'s duration', () => {
    // Assess: the recorder the local runner uses, in every Lambda (before, the cloud's audit.metrics stayed empty).
    expect(figures.cloud.length).toBeGreaterThan(0);
    expect(figures.cloud.map((row) => ({ ...row, metric_value: Number(row.metric_value) }))).toEqual(
      figures.local.map((row) => ({ ...row, metric_value: Number(row.metric_value) })),
    );
    // One per successful step per batch: the attempt the injected connection failure broke recorded nothing
    // (its transaction, or the recorder's, rolled back); the discovery that found nothing has no run.
    const batches = generated.batches.length;
    expect(durations).toEqual(
      ['BuildDimensions', 'BuildFacts', 'BuildMarts', 'DiscoverBatch', 'LoadStaging', 'MarkBatchDone', 'ValidateBatch'].map((step) => ({ step, n: batches })),
    );
  });

  it('normalizes with the Glue job under Spark: one run per table and batch, silver as COPY reads it', async () => {
    // Assess
    const tables = generated.batches.length * 6;
    expect(cloud.glue.runs).toHaveLength(tables);
    expect(cloud.glue.runs.every((r) => r.JobRunState === 'SUCCEEDED' && r.JobName === stack.glueJob.name)).toBe(true);
    const silver = await cloud.lakeKeys('silver/');
    const names = silver.map((key) => key.split('/').pop() as string);
    expect(names.filter((n) => n === '_manifest.json')).toHaveLength(tables);
    expect(names.filter((n) => /^part-.*\.parquet$/.test(n)).length).toBeGreaterThanOrEqual(tables);
    // Nothing else for COPY's prefix to trip on: no _SUCCESS marker, no committer leftovers.
    expect(silver.filter((key) => !/\/(_manifest\.json|part-[^/]*\.parquet)$/.test(key))).toEqual([]);
  });

  it('runs the real bundles: one cold start per function, Powertools logs tied to the execution, X-Ray traces', () => {
    // Assess
    const functions = cloud.functions();
    for (const handler of ['discoverBatch', 'loadStaging', 'buildDimensions', 'buildFacts', 'validateBatch', 'markBatchDone']) {
      const lambda = functions.get(handler);
      expect(lambda?.stats.coldStarts, handler).toBe(1);
      const finished = lambda?.jsonLogs().filter((line) => line.message === 'step finished') ?? [];
      expect(finished.length, handler).toBeGreaterThan(0);
      expect(finished.every((line) => line.execution_id === run.executionArn && line.function_name === lambda?.spec.name)).toBe(true);
    }
    // In Lambda the function's segment comes from the service; the SDK sends the handler's and each AWS call's subsegments.
    const traced = new Set(cloud.xray.segments.map((s) => s.name));
    expect([...traced], [...traced].join(', ')).toEqual(expect.arrayContaining(['## index.handler', 'RedshiftData', 'S3']));
  });

  /** What the run executed, for whoever runs `npm run test:cloud-offline` (and the docs). */
  function summary(): Record<string, unknown> {
    const rows = (table: string) => comparison.find((c) => c.table === table)?.postgresRows;
    return {
      seconds,
      batches: generated.batches,
      dwRows: Object.fromEntries(comparison.filter((c) => c.table.startsWith('dw.')).map((c) => [c.table, c.postgresRows])),
      ledgerRows: { table_loads: rows('audit.table_loads'), test_results: rows('audit.test_results') },
      dataApi: { ...structuredClone(cloud.dataApi.stats), polls: cloud.dataApi.statements().reduce((n, s) => n + s.polls, 0) },
      glueRuns: cloud.glue.runs.map((r) => `${r.Arguments['--table']}@${r.Arguments['--batch_id']}:${r.JobRunState}:${r.ExecutionTime}s`),
      lambdas: Object.fromEntries([...cloud.functions()].map(([name, l]) => [name, { ...l.stats }])),
      bundleBytes: Object.fromEntries(stack.functions.map((f) => [f.handlerName, f.bundleBytes])),
      xraySegments: cloud.xray.segments.length,
      largestTaskResultBytes: Math.max(...run.calls.map((c) => c.resultBytes)),
    };
  }

  describe('a batch that fails an error-severity test (the prod stack\'s freshness thresholds)', () => {
    let failed: CloudExecutionResult;
    const LATE = '2024-02-01';

    beforeAll(async () => {
      // Prepare: one late batch holding one customers file; the functions get prod's ECOMDW_FRESHNESS
      const late = path.join(dir, 'late');
      mkdirSync(path.join(late, 'raw', 'customers', `batch_id=${LATE}`), { recursive: true });
      writeFileSync(
        path.join(late, 'raw', 'customers', `batch_id=${LATE}`, 'late.csv'),
        'customer_id,updated_at,email,segment\nlate-c1,2024-02-01T08:00:00Z,late1@example.com,consumer\nlate-c2,2024-02-01T09:00:00Z,late2@example.com,smb\n',
      );
      await cloud.uploadLake(late);
      cloud.useFunctions({ ECOMDW_FRESHNESS: stackSettings('prod').freshnessJson });

      // Act
      failed = await cloud.execute({});
    }, 300_000);

    it('fails ValidateBatch and goes Catch -> RecordFailure -> PublishAlert -> PipelineFailed', () => {
      // Assess
      expect(failed.failure?.error).toBe('DataQualityError');
      const states = failed.calls.map((c) => c.state);
      expect(states.slice(-3)).toEqual(['ValidateBatch', 'RecordFailure', 'PublishAlert']);
      expect(failed.calls.find((c) => c.state === 'ValidateBatch')?.error).toBe('DataQualityError');
    });

    it('emits TestsFailed from the failing ValidateBatch bundle (the validation alarm\'s metric)', () => {
      // Assess
      const emf = cloud.functions().get('validateBatch')?.jsonLogs().filter((line) => '_aws' in line && 'TestsFailed' in line) ?? [];
      expect(emf.length).toBeGreaterThan(0);
      expect(Number(emf.at(-1)?.TestsFailed)).toBeGreaterThan(0);
    });

    it('publishes the alert RecordFailure built to the stack\'s topic and leaves the batch failed', async () => {
      // Assess
      expect(failed.published).toHaveLength(1);
      const [alert] = failed.published;
      expect(alert?.TopicArn).toBe(stack.alertTopicArn);
      expect(alert?.Subject).toBe(`ecomdw dev: batch ${LATE} failed (DataQualityError)`);
      // The message is the caught error (States.JsonToString($.error)). aws-local-stepfunctions strips every backslash
      // from intrinsic results, so offline the nested Cause loses its escaping and the text is not valid JSON as AWS's is.
      expect(alert?.Message).toContain('"Error":"DataQualityError"');
      const ledger = await warehouse.query(`select status, error from audit.batches where batch_id = $1`, [LATE]);
      expect(ledger.rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^DataQualityError: .*freshness_error/) }]);
      const lease = await warehouse.query('select count(*)::int as n from audit.pipeline_lease');
      expect(lease.rows).toEqual([{ n: 0 }]);
    });
  });
});
