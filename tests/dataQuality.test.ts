import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { runPipeline, type PipelineEvent } from '../functions/local/localRunner.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import type { Statement, WarehouseEngine } from '../functions/core/engine/types.js';
import { PIPELINE_STEPS } from '../functions/core/steps/registry.js';
import { validateWarehouse } from '../functions/core/steps/validateWarehouse.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { snapshotDw } from './helpers/warehouse.js';
import { TEST_CONFIG, testConfigWithFreshness } from './helpers/testConfig.js';

let dir: string;
let cleanup: () => void;
let lake: string;
let db: string;

const relaxed = TEST_CONFIG;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  lake = path.join(dir, 'lake');
  db = path.join(dir, 'w.duckdb');
  // b1: one order with one item and one payment; b2: the order's item changes.
  writeRaw(lake, 'customers', 'b1', 'c.csv', 'customer_id,updated_at,city\nc1,2024-01-01 00:00:00,Paris\n');
  writeRaw(lake, 'products', 'b1', 'p.csv', 'product_id,updated_at,unit_cost\np1,2024-01-01 00:00:00,4\n');
  writeRaw(lake, 'orders', 'b1', 'o.csv', 'order_id,customer_id,order_ts,updated_at,status\no1,c1,2024-01-02 10:00:00,2024-01-02 10:00:00,paid\n');
  writeRaw(lake, 'order_items', 'b1', 'i.csv', 'order_id,line_number,product_id,quantity,unit_price,updated_at\no1,1,p1,2,10,2024-01-02 10:00:00\n');
  writeRaw(lake, 'payments', 'b1', 'y.csv', 'payment_id,order_id,payment_method,amount,paid_at\ny1,o1,card,20,2024-01-02 10:00:00\n');
  writeRaw(lake, 'order_items', 'b2', 'i.csv', 'order_id,line_number,product_id,quantity,unit_price,updated_at\no1,1,p1,3,10,2024-01-03 10:00:00\n');
});
afterEach(() => cleanup());

type Validation = Awaited<ReturnType<typeof validateWarehouse>>;

/** The whole suite over the warehouse as the pipeline left it, then again once `breaking` (what a faulty step would do) is committed. */
async function validatedBeforeAndAfter(breaking: Statement[]): Promise<{ sound: Validation; broken: Validation }> {
  const engine = await DuckDbEngine.open({ path: db, lakeRoot: lake });
  try {
    const validate = () => validateWarehouse({ engine, lake: new LocalLake(lake), config: relaxed });
    const sound = await validate();
    await engine.transaction(breaking);
    return { sound, broken: await validate() };
  } finally {
    await engine.close();
  }
}

describe('Data-quality failures', () => {
  it('fail the run through the Catch on an error-severity test: alert raised, batch not done, results kept', async () => {
    // Prepare: every table's newest change is far older than one hour.
    const strict = testConfigWithFreshness('{"orders":{"warnAfterHours":1,"errorAfterHours":2}}');
    const events: PipelineEvent[] = [];
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config: strict, onEvent: (e) => events.push(e) });
    // Assess
    expect(summary.failure?.errorName).toBe('DataQualityError');
    expect(summary.failure?.message).toMatch(/orders\.freshness_error/);
    expect(events.some((e) => e.type === 'alert')).toBe(true);
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches')).toEqual([{ batch_id: 'b1', status: 'failed' }]);
    expect(await queryDuckDb(db, `select error_name from audit.alerts`)).toEqual([{ error_name: 'DataQualityError' }]);
    const [result] = await queryDuckDb(db, `select status, failing_rows from audit.test_results where test_name = 'orders.freshness_error'`);
    expect(result).toEqual({ status: 'fail', failing_rows: '1' });
  });

  it('retries a failed batch on the next run and then moves on', async () => {
    // Prepare
    const strict = testConfigWithFreshness('{"orders":{"errorAfterHours":2}}');
    await runPipeline({ lakeDir: lake, dbPath: db, config: strict });
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed });
    // Assess
    expect(summary.failure).toBeNull();
    expect(summary.batches.map((b) => b.batchId)).toEqual(['b1', 'b2']);
    expect(await queryDuckDb(db, `select batch_id, status, attempts from audit.batches order by batch_id`)).toEqual([
      { batch_id: 'b1', status: 'done', attempts: 2 },
      { batch_id: 'b2', status: 'done', attempts: 1 },
    ]);
  });

  it('catches a fact that does not reconcile with its source when validating on demand', async () => {
    // Prepare: both batches done, then a fact row is lost the way a buggy step would lose it.
    await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed });
    const engine = await DuckDbEngine.open({ path: db, lakeRoot: lake });
    try {
      await engine.transaction([{ sql: `delete from dw.fact_order_items where order_id = 'o1'` }]);
      // Act
      const validation = await validateWarehouse({ engine, lake: new LocalLake(lake), config: relaxed });
      // Assess
      expect(validation.failed).toBeGreaterThan(0);
      expect(validation.results.find((r) => r.test === 'fact_order_items.reconciliation_item_revenue')).toMatchObject({ status: 'fail', failingRows: 1 });
    } finally {
      await engine.close();
    }
  });

  it('catches a fulfillment row that disagrees with its order’s item and payment facts, or is missing', async () => {
    // Prepare: both batches done, then one order's row is altered and another's lost.
    writeRaw(lake, 'orders', 'b2', 'o.csv', 'order_id,customer_id,order_ts,updated_at\no2,c1,2024-01-03 08:00:00,2024-01-03 08:00:00\n');
    await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed });
    // Act
    const { sound, broken } = await validatedBeforeAndAfter([
      { sql: `update dw.fact_order_fulfillment set paid_amount = paid_amount + 1 where order_id = 'o1'` },
      { sql: `delete from dw.fact_order_fulfillment where order_id = 'o2'` },
    ]);
    // Assess
    const reconciliation = (v: Validation) => v.results.find((r) => r.test === 'fact_order_fulfillment.reconciliation_fulfillment');
    expect(reconciliation(sound)).toMatchObject({ status: 'pass', failingRows: 0 });
    expect(reconciliation(broken)).toMatchObject({ status: 'fail', failingRows: 2, sampleKeys: 'missing o2, totals o1' });
  });

  it('catches every mart, and every table of what the warehouse knows, that no longer reconciles with the facts', async () => {
    // Prepare: both batches done, then the marts' stored rows drift from dw the way a faulty BuildMarts would leave them.
    await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed });
    const martTests = (v: Validation) => v.results.filter((r) => r.test.startsWith('mart.') || r.test.startsWith('known.')).map((r) => [r.test, r.status]);
    // Act
    const { sound, broken } = await validatedBeforeAndAfter([
      { sql: `update known.order_items set net_revenue = net_revenue + 1, recognized_revenue = recognized_revenue + 1 where order_id = 'o1' and known_to is null` },
      { sql: `update known.orders set item_count = item_count + 1, net_revenue = net_revenue + 1, recognized_revenue = recognized_revenue + 1 where order_id = 'o1' and known_to is null` },
      { sql: `update known.orders set delivered_at = case when delivered_at is null then timestamp '2024-01-09 00:00:00' end where order_id = 'o1' and known_to is null` },
      { sql: `update known.payments set amount = amount + 1 where order_id = 'o1' and known_to is null` },
      { sql: `update known.daily_figures set figure_value = figure_value + 1 where measure = 'revenue' and slice_kind = 'total' and known_to is null` },
    ]);
    // Assess
    const tests = [
      ...['daily_figures', 'orders', 'payments'].map((t) => `known.${t}.reconciliation`),
      ...['basket_daily', 'customer_cohorts', 'customer_lifetime_value', 'fulfillment_daily', 'orders', 'product_profitability', 'revenue_daily', 'sales'].map((m) => `mart.${m}.reconciliation`),
    ];
    expect(martTests(sound)).toEqual(tests.map((t) => [t, 'pass']));
    expect(martTests(broken)).toEqual(tests.map((t) => [t, 'fail']));
  });

  it('names the rows a mart or known.* lacks, holds too many of, or holds otherwise', async () => {
    // Prepare: o2 with an item and a payment, o3 with a payment only; all done, then
    // per table one row lost, one row too many and one row altered.
    writeRaw(lake, 'orders', 'b2', 'o.csv', 'order_id,customer_id,order_ts,updated_at\no2,c1,2024-01-03 08:00:00,2024-01-03 08:00:00\no3,c1,2024-01-03 09:00:00,2024-01-03 09:00:00\n');
    writeRaw(lake, 'order_items', 'b2', 'j.csv', 'order_id,line_number,product_id,quantity,unit_price,updated_at\no2,1,p1,1,5,2024-01-03 08:00:00\n');
    writeRaw(lake, 'payments', 'b2', 'y.csv', 'payment_id,order_id,payment_method,amount,paid_at\ny2,o2,card,5,2024-01-03 08:00:00\ny3,o3,card,7,2024-01-03 09:00:00\n');
    await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed });
    // Act
    const { sound, broken } = await validatedBeforeAndAfter([
      // mart.sales reads known.order_items: o1#1 no longer current, o2#7 added, o2#1 altered
      { sql: `update known.order_items set known_to = known_from where order_id = 'o1' and known_to is null` },
      { sql: `insert into known.order_items select * replace (7 as line_number) from known.order_items where order_id = 'o2' and known_to is null` },
      { sql: `update known.order_items set net_revenue = net_revenue + 1, recognized_revenue = recognized_revenue + 1 where order_id = 'o2' and line_number = 1 and known_to is null` },
      // known.orders: o1 no longer current, o2 altered, o3's fact gone (known.orders keeps it)
      { sql: `update known.orders set known_to = known_from where order_id = 'o1' and known_to is null` },
      { sql: `update known.orders set item_count = item_count + 1 where order_id = 'o2' and known_to is null` },
      { sql: `delete from dw.fact_order_fulfillment where order_id = 'o3'` },
      // known.payments: y1 no longer current, y9 added, y2 altered
      { sql: `update known.payments set known_to = known_from where payment_id = 'y1' and known_to is null` },
      { sql: `insert into known.payments select * replace ('y9' as payment_id) from known.payments where payment_id = 'y2' and known_to is null` },
      { sql: `update known.payments set amount = amount + 1 where payment_id = 'y2' and known_to is null` },
    ]);
    // Assess
    const found = (v: Validation, test: string) => v.results.find((r) => r.test === test);
    for (const test of ['mart.sales.reconciliation', 'known.orders.reconciliation', 'known.payments.reconciliation', 'mart.orders.reconciliation']) {
      expect(found(sound, test), test).toMatchObject({ status: 'pass', failingRows: 0 });
    }
    expect(found(broken, 'mart.sales.reconciliation')).toMatchObject({ status: 'fail', failingRows: 3, sampleKeys: 'differs o2#1, extra o2#7, missing o1#1' });
    expect(found(broken, 'known.orders.reconciliation')).toMatchObject({ status: 'fail', failingRows: 3, sampleKeys: 'differs o2, extra o3, missing o1' });
    expect(found(broken, 'known.payments.reconciliation')).toMatchObject({ status: 'fail', failingRows: 3, sampleKeys: 'differs y2, extra y9, missing y1' });
    // mart.orders reads known.orders: o1 gone from it, o2's item count off, o3 without its fact
    expect(found(broken, 'mart.orders.reconciliation')).toMatchObject({ status: 'fail', failingRows: 3, sampleKeys: 'differs o2, extra o3, missing o1' });
  });

  it('catches facts that point at a dimension version not valid at the order time', async () => {
    // Prepare: the customer and the product change after the order, then the facts are
    // re-pointed at those later versions the way a wrong point-in-time join would.
    writeRaw(lake, 'customers', 'b3', 'c.csv', 'customer_id,updated_at,city\nc1,2024-01-05 00:00:00,Lyon\n');
    writeRaw(lake, 'products', 'b3', 'p.csv', 'product_id,updated_at,unit_cost\np1,2024-01-05 00:00:00,5\n');
    await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed });
    const pointInTime = (validation: Validation) =>
      validation.results.filter((r) => r.test.endsWith('.point_in_time')).map((r) => [r.test, r.status, r.failingRows]);
    const current = (table: string, key: string, id: string) =>
      `(select ${key}_sk from dw.dim_${table} where ${key}_id = '${id}' and is_current)`;
    // Act
    const { sound, broken } = await validatedBeforeAndAfter([
      { sql: `update dw.fact_order_items set customer_sk = ${current('customers', 'customer', 'c1')}, product_sk = ${current('products', 'product', 'p1')}` },
      { sql: `update dw.fact_payments set customer_sk = ${current('customers', 'customer', 'c1')}` },
      { sql: `update dw.fact_order_fulfillment set customer_sk = ${current('customers', 'customer', 'c1')}` },
    ]);
    // Assess
    expect(pointInTime(sound)).toEqual([
      ['fact_order_fulfillment.point_in_time', 'pass', 0],
      ['fact_order_items.point_in_time', 'pass', 0],
      ['fact_payments.point_in_time', 'pass', 0],
    ]);
    expect(pointInTime(broken)).toEqual([
      ['fact_order_fulfillment.point_in_time', 'fail', 1],
      ['fact_order_items.point_in_time', 'fail', 2],
      ['fact_payments.point_in_time', 'fail', 1],
    ]);
  });

  it('leaves the warehouse as it was before the failing step when a statement fails inside it', async () => {
    // Prepare
    await runPipeline({ lakeDir: lake, dbPath: db, config: relaxed, batchId: 'b1' });
    const before = await snapshotDw(db);
    const [historyBefore] = await queryDuckDb(db, 'select count(*) as n, max(quantity) as q from history.order_items');
    // Act: the real BuildFacts statements run, then the last one of the transaction fails.
    const summary = await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config: relaxed,
      overrides: {
        BuildFacts: (payload, context) => {
          const engine: WarehouseEngine = {
            dialect: context.engine.dialect,
            loadParquet: (...args) => context.engine.loadParquet(...args),
            query: (statement) => context.engine.query(statement),
            close: () => context.engine.close(),
            transaction: (statements) =>
              context.engine.transaction([...statements, { label: 'boom', sql: 'select * from no_such_table' }]),
          };
          return PIPELINE_STEPS.BuildFacts({ ...context, engine }, payload);
        },
      },
    });
    // Assess
    expect(summary.failure?.errorName).toBe('WarehouseStatementError');
    expect(summary.failure?.message).toMatch(/boom/);
    expect(await snapshotDw(db)).toEqual(before);
    expect(await queryDuckDb(db, 'select count(*) as n, max(quantity) as q from history.order_items')).toEqual([historyBefore]);
    expect(await queryDuckDb(db, `select batch_id, status from audit.batches order by batch_id`)).toEqual([
      { batch_id: 'b1', status: 'done' },
      { batch_id: 'b2', status: 'failed' },
    ]);
  });
});
