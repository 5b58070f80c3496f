import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPipeline, STATE_MACHINE_FILE, type PipelineEvent, type RunPipelineOptions } from '../functions/local/localRunner.js';
import type { Row, WarehouseEngine } from '../functions/core/engine/types.js';
import { WarehouseStatementError, WarehouseThrottledError } from '../functions/core/errors.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { PIPELINE_STEPS, PIPELINE_STEP_NAMES } from '../functions/core/steps/registry.js';
import { stepEntry, type PipelineStepName } from '../functions/core/pipelineManifest.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { DW_SNAPSHOT_QUERIES, snapshotDw } from './helpers/warehouse.js';
import { TEST_CONFIG } from './helpers/testConfig.js';
import { taskStates, type AslDefinition } from './helpers/asl.js';

const config = TEST_CONFIG;

/** What BuildFacts rewrites besides dw: the latest records it keeps for order-independence. */
const HISTORY_QUERIES: Readonly<Record<string, string>> = {
  orders: 'select * exclude (batch_id) from history.orders order by order_id',
  order_items: 'select * exclude (batch_id) from history.order_items order by order_id, line_number',
  payments: 'select * exclude (batch_id) from history.payments order by payment_id',
  shipments: 'select * exclude (batch_id) from history.shipments order by shipment_id',
};

/** Two small batches of every source table, written by hand: b2 changes a customer, adds an order, a product and a shipment. */
function writeLake(lake: string): void {
  const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;
  writeRaw(lake, 'customers', 'b1', 'customers.csv', csv(
    'customer_id,email,first_name,last_name,city,state,country,segment,updated_at',
    'c1,ana@example.com,Ana,Lopez,Madrid,MD,ES,consumer,2024-01-01T08:00:00Z',
    'c2,bo@example.com,Bo,Berg,Oslo,OS,NO,corporate,2024-01-01T08:00:00Z',
  ));
  writeRaw(lake, 'products', 'b1', 'products.csv', csv(
    'product_id,sku,name,category,brand,list_price,unit_cost,updated_at',
    'p1,SKU-1,Kettle,kitchen,Acme,30.00,12.00,2024-01-01T07:00:00Z',
  ));
  writeRaw(lake, 'orders', 'b1', 'orders.csv', csv(
    'order_id,customer_id,order_ts,status,currency,updated_at',
    'o1,c1,2024-01-01T12:00:00Z,paid,EUR,2024-01-01T12:00:00Z',
  ));
  writeRaw(lake, 'order_items', 'b1', 'order_items.csv', csv(
    'order_id,line_number,product_id,quantity,unit_price,discount_amount,shipping_amount,updated_at',
    'o1,1,p1,2,30.00,5.00,4.50,2024-01-01T12:00:00Z',
  ));
  writeRaw(lake, 'payments', 'b1', 'payments.csv', csv(
    'payment_id,order_id,payment_method,amount,paid_at',
    'y1,o1,credit_card,59.50,2024-01-01T12:01:00Z',
  ));
  writeRaw(lake, 'shipments', 'b1', 'shipments.csv', csv(
    'shipment_id,order_id,status,carrier,shipped_at,delivered_at,updated_at',
    's1,o1,shipped,dhl,2024-01-01T18:00:00Z,,2024-01-01T18:00:00Z',
  ));
  writeRaw(lake, 'customers', 'b2', 'customers.csv', csv(
    'customer_id,email,first_name,last_name,city,state,country,segment,updated_at',
    'c1,ana@example.com,Ana,Lopez,Sevilla,AN,ES,consumer,2024-01-02T08:00:00Z',
  ));
  writeRaw(lake, 'products', 'b2', 'products.csv', csv(
    'product_id,sku,name,category,brand,list_price,unit_cost,updated_at',
    'p2,SKU-2,Teapot,kitchen,Acme,20.00,7.00,2024-01-02T07:00:00Z',
  ));
  writeRaw(lake, 'orders', 'b2', 'orders.csv', csv(
    'order_id,customer_id,order_ts,status,currency,updated_at',
    'o2,c2,2024-01-02T10:00:00Z,paid,EUR,2024-01-02T10:00:00Z',
  ));
  writeRaw(lake, 'order_items', 'b2', 'order_items.csv', csv(
    'order_id,line_number,product_id,quantity,unit_price,discount_amount,shipping_amount,updated_at',
    'o2,1,p2,1,20.00,0,3.00,2024-01-02T10:00:00Z',
    'o2,2,p1,1,30.00,0,0,2024-01-02T10:00:00Z',
  ));
  writeRaw(lake, 'payments', 'b2', 'payments.csv', csv(
    'payment_id,order_id,payment_method,amount,paid_at',
    'y2,o2,paypal,53.00,2024-01-02T10:01:00Z',
  ));
  writeRaw(lake, 'shipments', 'b2', 'shipments.csv', csv(
    'shipment_id,order_id,status,carrier,shipped_at,delivered_at,updated_at',
    's1,o1,delivered,dhl,2024-01-01T18:00:00Z,2024-01-02T09:00:00Z,2024-01-02T09:00:00Z',
  ));
}

/** The dw tables and the history tables, read through the engine the run holds (the file is locked meanwhile). */
async function snapshotThrough(engine: WarehouseEngine): Promise<Record<string, Row[]>> {
  const snapshot: Record<string, Row[]> = {};
  for (const [name, sql] of Object.entries({ ...DW_SNAPSHOT_QUERIES, ...HISTORY_QUERIES })) snapshot[name] = await engine.query({ sql });
  return snapshot;
}

/** The same, from the file after the run closed it. */
async function snapshotFile(db: string): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = await snapshotDw(db);
  for (const [name, sql] of Object.entries(HISTORY_QUERIES)) snapshot[name] = await queryDuckDb(db, sql);
  return snapshot;
}

/** The runner passes the step context to overrides; fail loudly if it ever stops doing so. */
function contextOf(context: StepContext | undefined): StepContext {
  if (context === undefined) throw new Error('runPipeline did not pass the step context to the override');
  return context;
}

/** An engine whose transactions run every statement of the step and then one that fails, inside the same transaction. */
function failingAtTheEnd(engine: WarehouseEngine): WarehouseEngine {
  return {
    dialect: engine.dialect,
    loadParquet: (...args) => engine.loadParquet(...args),
    query: (statement) => engine.query(statement),
    close: () => engine.close(),
    transaction: (statements) =>
      engine.transaction([...statements, { label: 'injected: last statement fails', sql: 'insert into dw.no_such_table select 1' }]),
  };
}

describe('A failing step, through the state machine\'s Catch', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: string;
  let db: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('ecomdw-failure-'));
    lake = path.join(dir, 'lake');
    db = path.join(dir, 'warehouse.duckdb');
    writeLake(lake);
    const first = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });
    if (first.failure !== null || first.batches.length !== 1) throw new Error(`batch b1 did not complete: ${JSON.stringify(first.failure)}`);
  });
  afterAll(() => cleanup());

  /** Runs b2 with BuildFacts replaced; returns the summary, the events and the warehouse as it was when BuildFacts started. */
  async function runB2(buildFacts: (payload: unknown, context: StepContext) => Promise<unknown>) {
    const events: PipelineEvent[] = [];
    let before: Record<string, Row[]> | undefined;
    const options: RunPipelineOptions = {
      lakeDir: lake,
      dbPath: db,
      config,
      batchId: 'b2',
      onEvent: (event) => events.push(event),
      overrides: {
        BuildFacts: async (payload: unknown, context?: StepContext) => {
          before = await snapshotThrough(contextOf(context).engine);
          return buildFacts(payload, contextOf(context));
        },
      },
    };
    const summary = await runPipeline(options);
    if (before === undefined) throw new Error('BuildFacts never ran');
    return { summary, events, before };
  }

  it('raises the alert, leaves the batch failed and the warehouse as it was, when the step throws', async () => {
    // Act
    const { summary, events, before } = await runB2(async () => {
      throw new WarehouseStatementError('warehouse statement failed (facts/fact_order_items.sql#2): injected', 'insert into dw.fact_order_items ...');
    });

    // Assess
    expect(summary.failure).toMatchObject({ errorName: 'WarehouseStatementError', subject: 'ecomdw test: batch b2 failed (WarehouseStatementError)' });
    expect(summary.batches).toEqual([]);
    expect(events.filter((e) => e.type === 'alert')).toHaveLength(1);
    expect(events.map((e) => (e.type === 'step-failed' ? e.step : null)).filter(Boolean)).toEqual(['BuildFacts']);
    const alerts = await queryDuckDb(db, `select batch_id, error_name, message from audit.alerts where batch_id = 'b2'`);
    expect(alerts).toEqual([{ batch_id: 'b2', error_name: 'WarehouseStatementError', message: expect.stringMatching(/^WarehouseStatementError: .*injected/) }]);
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches order by batch_id')).toEqual([
      { batch_id: 'b1', status: 'done' },
      { batch_id: 'b2', status: 'failed' },
    ]);
    expect(await snapshotFile(db)).toEqual(JSON.parse(JSON.stringify(before)));
  });

  it('rolls back every statement the real step ran when the last one of its transaction fails', async () => {
    // Act: the real BuildFacts, whose transaction fails only after all its own statements ran.
    const { summary, before } = await runB2((payload, context) => PIPELINE_STEPS.BuildFacts({ ...context, engine: failingAtTheEnd(context.engine) }, payload));

    // Assess
    expect(summary.failure?.errorName).toBe('WarehouseStatementError');
    expect(summary.failure?.message).toMatch(/injected: last statement fails/);
    expect(await queryDuckDb(db, `select status from audit.batches where batch_id = 'b2'`)).toEqual([{ status: 'failed' }]);
    const after = await snapshotFile(db);
    expect(after).toEqual(JSON.parse(JSON.stringify(before)));
    // The step would have changed these had it committed: the comparison above can fail.
    expect(after.fact_order_items?.map((f) => (f as { order_id: string }).order_id)).toEqual(['o1']);
  });

  it('completes the failed batch on the next run without the override', async () => {
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });

    // Assess
    expect(summary.failure).toBeNull();
    expect(summary.batches.map((b) => b.batchId)).toEqual(['b2']);
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches order by batch_id')).toEqual([
      { batch_id: 'b1', status: 'done' },
      { batch_id: 'b2', status: 'done' },
    ]);
    const facts = await queryDuckDb(db, 'select order_id, line_number from dw.fact_order_items order by order_id, line_number');
    expect(facts).toEqual([
      { order_id: 'o1', line_number: '1' },
      { order_id: 'o2', line_number: '1' },
      { order_id: 'o2', line_number: '2' },
    ]);
  });
});

describe('A transient warehouse error, through the state machine\'s Retry', () => {
  it('is retried and the run succeeds', async () => {
    // Prepare
    const { dir, cleanup } = tempDir('ecomdw-retry-');
    try {
      const lake = path.join(dir, 'lake');
      const db = path.join(dir, 'warehouse.duckdb');
      writeLake(lake);
      let attempts = 0;
      const events: PipelineEvent[] = [];

      // Act
      const summary = await runPipeline({
        lakeDir: lake,
        dbPath: db,
        config,
        batchId: 'b1',
        onEvent: (event) => events.push(event),
        overrides: {
          BuildDimensions: async (payload: unknown, context?: StepContext) => {
            attempts += 1;
            if (attempts === 1) throw new WarehouseThrottledError('the warehouse is busy (ThrottlingException): Rate exceeded');
            return PIPELINE_STEPS.BuildDimensions(contextOf(context), payload);
          },
        },
      });

      // Assess
      expect(summary.failure).toBeNull();
      expect(summary.batches.map((b) => b.batchId)).toEqual(['b1']);
      expect(attempts).toBe(2);
      expect(events.filter((e) => e.type === 'step-failed').map((e) => (e as { error: Error }).error.name)).toEqual(['WarehouseThrottledError']);
      expect(events.some((e) => e.type === 'alert')).toBe(false);
      expect(await queryDuckDb(db, 'select batch_id, status from audit.batches')).toEqual([{ batch_id: 'b1', status: 'done' }]);
    } finally {
      cleanup();
    }
  });
});

/** A promise and the function that resolves it. */
function latch(): { readonly done: Promise<void>; readonly open: () => void } {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open };
}

describe('A step that runs for minutes', () => {
  let lake = '';
  let db = '';
  let cleanup: () => void = () => undefined;
  let stepStarted = latch();
  let minutesPassed = latch();

  beforeEach(() => {
    const temp = tempDir('ecomdw-slow-step-');
    cleanup = temp.cleanup;
    lake = path.join(temp.dir, 'lake');
    db = path.join(temp.dir, 'warehouse.duckdb');
    writeLake(lake);
    stepStarted = latch();
    minutesPassed = latch();
    validateStep = Promise.resolve();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });

  afterEach(() => {
    vi.useRealTimers();
    cleanup();
  });

  /** The slow step's own promise: it outlives the run when the runner gives up on it. */
  let validateStep: Promise<unknown> = Promise.resolve();

  /** ValidateBatch that starts, then waits until the test says the (fake) minutes have passed. */
  const slowValidate = (payload: unknown, context?: StepContext): Promise<unknown> => {
    stepStarted.open();
    validateStep = minutesPassed.done.then(() => PIPELINE_STEPS.ValidateBatch(contextOf(context), payload));
    return validateStep;
  };

  it('is not cut off by the local runner: a Lambda step may run up to the 15 minutes Lambda allows', async () => {
    // Act
    const running = runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1', overrides: { ValidateBatch: slowValidate } });
    await stepStarted.done;
    await vi.advanceTimersByTimeAsync(14 * 60 * 1000);
    minutesPassed.open();
    const summary = await running;

    // Assess
    expect(summary.failure).toBeNull();
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches')).toEqual([{ batch_id: 'b1', status: 'done' }]);
  });

  it('fails with States.Timeout past 15 minutes, and the abandoned step then meets a closed warehouse, not a crash', async () => {
    // Prepare
    const events: PipelineEvent[] = [];

    // Act
    const running = runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      batchId: 'b1',
      onEvent: (event) => events.push(event),
      overrides: { ValidateBatch: slowValidate },
    });
    await stepStarted.done;
    await vi.advanceTimersByTimeAsync(16 * 60 * 1000);
    const summary = await running;
    minutesPassed.open();
    const late = await validateStep.then(
      () => null,
      (error: unknown) => error,
    );

    // Assess
    expect(summary.failure?.message).toContain('States.Timeout');
    expect(events.some((e) => e.type === 'alert')).toBe(true);
    expect(late).toBeInstanceOf(WarehouseStatementError);
    expect((late as Error).message).toMatch(/the warehouse is closed/);
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches')).toEqual([{ batch_id: 'b1', status: 'failed' }]);
  });
});

describe('The state machine definition for the cloud', () => {
  const text = readFileSync(STATE_MACHINE_FILE, 'utf8');
  const definition = JSON.parse(text) as AslDefinition;
  const tasks = taskStates(definition.States);
  const lambdaTasks = tasks.filter(([, state]) => state.Resource === 'arn:aws:states:::lambda:invoke');

  it('is valid Amazon States Language', () => {
    // Act
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses only the Lambda, Glue (.sync) and SNS integrations', () => {
    // Assess
    const resources = new Set(tasks.map(([, state]) => state.Resource));
    expect([...resources].sort()).toEqual(['arn:aws:states:::glue:startJobRun.sync', 'arn:aws:states:::lambda:invoke', 'arn:aws:states:::sns:publish']);
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual([...PIPELINE_STEP_NAMES].sort());
  });

  it('has exactly the nine placeholders the Pulumi program fills in', () => {
    // Prepare
    const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1]));

    // Assess
    expect([...placeholders].sort()).toEqual(
      [...PIPELINE_STEP_NAMES.map((step) => stepEntry(step).functionArnPlaceholder), 'NormalizeJobName', 'AlertTopicArn'].sort(),
    );
    for (const [name, state] of lambdaTasks) expect(JSON.stringify(state)).toContain(`\${${stepEntry(name as PipelineStepName).functionArnPlaceholder}}`);
  });

  it('retries transient errors: Lambda service errors and warehouse throttling on every Lambda task, concurrent runs on Glue', () => {
    // Assess
    for (const [, state] of lambdaTasks) {
      const retried = state.Retry?.flatMap((r) => r.ErrorEquals) ?? [];
      expect(retried).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'WarehouseThrottledError']));
      expect(retried).not.toContain('States.ALL');
    }
    const glue = tasks.filter(([, state]) => state.Resource === 'arn:aws:states:::glue:startJobRun.sync');
    expect(glue).toHaveLength(1);
    expect(glue[0]![1].Retry?.flatMap((r) => r.ErrorEquals)).toContain('Glue.ConcurrentRunsExceededException');
  });
});
