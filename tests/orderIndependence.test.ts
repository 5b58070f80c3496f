import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { runPipeline } from '../functions/local/localRunner.js';
import { buildReport } from '../functions/report/buildReport.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { batchingArb, sourceRowsArb } from './reference/arbitraries.js';
import { writeLake } from './reference/lakeWriter.js';
import { referenceWarehouse, type ReferenceWarehouse, type SourceBatch } from './reference/referenceModel.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { snapshotDw } from './helpers/warehouse.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;
const ts = (column: string) => `strftime(${column}, '%Y-%m-%d %H:%M:%S')`;
const dec = (column: string) => `cast(${column} as varchar)`;

// The warehouse rendered in the reference model's canonical form: surrogate
// keys resolved to (natural key, valid_from), member keys to codes.
const CANONICAL = {
  dimCustomers: `select customer_id, email, first_name, last_name, city, state, country, segment, is_inferred, is_deleted,
      ${ts('valid_from')} as valid_from, ${ts('valid_to')} as valid_to, is_current, row_hash
    from dw.dim_customers order by customer_id, valid_from`,
  dimProducts: `select product_id, sku, name, category, brand, ${dec('list_price')} as list_price, ${dec('unit_cost')} as unit_cost,
      is_inferred, is_deleted, ${ts('valid_from')} as valid_from, ${ts('valid_to')} as valid_to, is_current, row_hash
    from dw.dim_products order by product_id, valid_from`,
  factOrderItems: `select f.order_id, f.line_number::integer as line_number, ${ts('f.order_ts')} as order_ts, f.order_date_key,
      {'customer_id': c.customer_id, 'valid_from': ${ts('c.valid_from')}} as customer,
      {'product_id': p.product_id, 'valid_from': ${ts('p.valid_from')}} as product,
      m.payment_method_code, s.status_code as shipment_status_code, f.order_status, f.quantity::integer as quantity,
      ${dec('f.unit_price')} as unit_price, ${dec('f.discount_amount')} as discount_amount, ${dec('f.gross_revenue')} as gross_revenue,
      ${dec('f.net_revenue')} as net_revenue, ${dec('f.shipping_amount')} as shipping_amount, ${dec('f.unit_cost')} as unit_cost,
      ${dec('f.cost_amount')} as cost_amount, ${dec('f.margin')} as margin
    from dw.fact_order_items f
    left join dw.dim_customers c on c.customer_sk = f.customer_sk
    left join dw.dim_products p on p.product_sk = f.product_sk
    left join dw.dim_payment_methods m on m.payment_method_key = f.payment_method_key
    left join dw.dim_shipment_status s on s.shipment_status_key = f.shipment_status_key
    order by f.order_id, f.line_number`,
  factPayments: `select f.payment_id, f.order_id, ${ts('f.paid_at')} as paid_at, f.payment_date_key, m.payment_method_code,
      {'customer_id': c.customer_id, 'valid_from': ${ts('c.valid_from')}} as customer, ${dec('f.amount')} as amount
    from dw.fact_payments f
    left join dw.dim_customers c on c.customer_sk = f.customer_sk
    left join dw.dim_payment_methods m on m.payment_method_key = f.payment_method_key
    order by f.payment_id`,
  factOrderFulfillment: `select f.order_id, ${ts('f.order_ts')} as order_ts, f.order_date_key,
      {'customer_id': c.customer_id, 'valid_from': ${ts('c.valid_from')}} as customer,
      m.payment_method_code, s.status_code as shipment_status_code, f.order_status, f.item_count, f.unit_count::integer as unit_count,
      ${dec('f.net_revenue')} as net_revenue, f.payment_count, ${dec('f.paid_amount')} as paid_amount,
      ${ts('f.first_paid_at')} as first_paid_at, ${ts('f.first_shipped_at')} as first_shipped_at, ${ts('f.delivered_at')} as delivered_at,
      ${dec('f.placed_to_paid_hours')} as placed_to_paid_hours, ${dec('f.placed_to_shipped_hours')} as placed_to_shipped_hours,
      ${dec('f.shipped_to_delivered_hours')} as shipped_to_delivered_hours, ${dec('f.placed_to_delivered_hours')} as placed_to_delivered_hours,
      f.is_paid, f.is_shipped, f.is_delivered, f.is_cancelled, f.is_returned
    from dw.fact_order_fulfillment f
    left join dw.dim_customers c on c.customer_sk = f.customer_sk
    left join dw.dim_payment_methods m on m.payment_method_key = f.payment_method_key
    left join dw.dim_shipment_status s on s.shipment_status_key = f.shipment_status_key
    order by f.order_id`,
};

async function renderWarehouse(db: string): Promise<Omit<ReferenceWarehouse, 'waiting'>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(CANONICAL)) out[name] = await queryDuckDb(db, sql);
  return out as unknown as Omit<ReferenceWarehouse, 'waiting'>;
}

// The marts' current rows, every column, in a total order.
const MART_SNAPSHOT = ['sales', 'orders', 'revenue_daily', 'product_profitability', 'customer_lifetime_value', 'customer_cohorts', 'fulfillment_daily', 'basket_daily'].map(
  (mart) => `select * from mart.${mart} order by all`,
);

const { dir, cleanup } = tempDir('ecomdw-prop-');
let runs = 0;
afterAll(() => cleanup());

async function runBatches(batches: SourceBatch[], afterEach?: (db: string, batchId: string) => Promise<void>): Promise<string> {
  const run = `${++runs}`;
  const lake = path.join(dir, run, 'lake');
  const db = path.join(dir, run, 'w.duckdb');
  writeLake(lake, batches, runs % 2 === 0 ? 'jsonl' : 'csv');
  if (afterEach === undefined) {
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });
    expect(summary.failure?.message ?? null).toBeNull();
    expect(summary.batches.map((b) => b.batchId)).toEqual(batches.map((b) => b.batchId));
    return db;
  }
  for (const { batchId } of batches) {
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId });
    expect(summary.failure?.message ?? null).toBeNull();
    await afterEach(db, batchId);
  }
  return db;
}

/** The whole report (every section) of a warehouse file, as JSON text: as of its latest load, or as known at a batch. */
async function reportJson(db: string, knownAt?: string): Promise<string> {
  const engine = await DuckDbEngine.open({ path: db, lakeRoot: path.dirname(db) });
  try {
    const request = { attribution: { kind: 'current' as const }, ...(knownAt === undefined ? {} : { knownAt }) };
    return JSON.stringify(await buildReport(engine, request));
  } finally {
    await engine.close();
  }
}

describe('Order independence: the headline guarantee', () => {
  it('gives the reference model’s dimensions and facts for any change set, however it is batched and ordered, and reproduces every past report', async () => {
    await fc.assert(
      fc.asyncProperty(
        sourceRowsArb.chain((rows) => fc.tuple(fc.constant(rows), batchingArb(rows))),
        async ([rows, batches]) => {
          // Act: batch by batch, keeping the report each one left behind
          const published = new Map<string, string>();
          const db = await runBatches(batches, async (file, batchId) => {
            published.set(batchId, await reportJson(file));
          });
          // Assess
          const { waiting, ...expected } = referenceWarehouse(rows);
          expect(await renderWarehouse(db)).toEqual(expected);
          // every past report is reproduced from the final warehouse, whatever the later batches changed
          for (const [batchId, report] of published) expect(await reportJson(db, batchId), `known at ${batchId}`).toBe(report);
          const [waited] = await queryDuckDb(db, `select
              (select count(*) from history.payments p where not exists (select 1 from history.orders o where o.order_id = p.order_id))::integer as payments,
              (select count(*) from history.shipments s where not exists (select 1 from history.orders o where o.order_id = s.order_id))::integer as shipments`);
          expect(waited).toEqual({ payments: waiting.payments, shipments: waiting.shipments });
          // history.waiting_rows, kept batch by batch, is the whole-history answer
          const kept = await queryDuckDb(db, `select source_table, order_id, source_key from history.waiting_rows order by all`);
          const recomputed = await queryDuckDb(db, `select * from (
              select 'order_items' as source_table, order_id, order_id || '#' || line_number as source_key from history.order_items where not is_deleted
              union all select 'payments', order_id, payment_id from history.payments
              union all select 'shipments', order_id, shipment_id from history.shipments) as children
            where not exists (select 1 from history.orders o where o.order_id = children.order_id) order by all`);
          expect(kept).toEqual(recomputed);
        },
      ),
      { numRuns: 10, endOnFailure: true },
    );
  }, 300_000);

  it('gives identical dw tables, surrogate keys included, for two batchings of the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        sourceRowsArb.chain((rows) => fc.tuple(batchingArb(rows), batchingArb(rows))),
        async ([first, second]) => {
          // Act
          const [a, b] = [await runBatches(first), await runBatches(second)];
          // Assess
          expect(await snapshotDw(a)).toEqual(await snapshotDw(b));
          // the marts (what the warehouse knows now) too
          for (const sql of MART_SNAPSHOT) expect(await queryDuckDb(a, sql), sql).toEqual(await queryDuckDb(b, sql));
        },
      ),
      { numRuns: 5, endOnFailure: true },
    );
  }, 300_000);
});
