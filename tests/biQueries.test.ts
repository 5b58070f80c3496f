import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { buildReport } from '../functions/report/buildReport.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { generateLake } from '../generator/generateLake.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');

/** The SQL blocks between the README's bi-queries markers, in order. */
function readmeQueries(): string[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('<!-- bi-queries -->'), text.indexOf('<!-- /bi-queries -->'));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

type Rows = Record<string, unknown>[];
// Decimals come back as text with their column's scale: compare numbers rounded to 4 places.
const num = (value: unknown): string | null => (value === null || value === undefined ? null : Number(value).toFixed(4));
const pick = (rows: Rows, columns: string[]) => rows.map((r) => columns.map((c) => (typeof r[c] === 'string' && /^-?\d+\.\d+$/.test(r[c] as string) ? num(r[c]) : r[c])));

const RECOGNIZED = `case when coalesce(f.order_status, '') in ('cancelled', 'returned') then 0 else f.net_revenue end`;
const RECOGNIZED_MARGIN = `case when coalesce(f.order_status, '') in ('cancelled', 'returned') then 0 else f.margin end`;

describe('The five ready queries of the README, on a built warehouse, against the facts', () => {
  const { dir, cleanup } = tempDir('ecomdw-bi-');
  const lake = path.join(dir, 'lake');
  const db = path.join(dir, 'w.duckdb');
  const queries = readmeQueries();

  beforeAll(async () => {
    await generateLake({ out: lake, scale: 0.01, days: 3, seed: 11, format: 'csv', startDate: '2024-05-30' });
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config: TEST_CONFIG });
    expect(summary.failure).toBeNull();
  }, 120_000);
  afterAll(() => cleanup());

  it('finds five queries in the README', () => {
    expect(queries).toHaveLength(5);
  });

  it('1: revenue and margin by month and payment channel add up to the item facts', async () => {
    const expected = await queryDuckDb(
      db,
      `select date_trunc('month', f.order_ts) as order_month, m.payment_channel, sum(${RECOGNIZED}) as revenue, sum(${RECOGNIZED_MARGIN}) as margin
       from dw.fact_order_items f join dw.dim_payment_methods m on m.payment_method_key = f.payment_method_key
       group by 1, 2 order by 1, 2`,
    );
    const actual = await queryDuckDb(db, queries[0] as string);
    expect(actual.length).toBeGreaterThan(1);
    expect(pick(actual, ['order_month', 'payment_channel', 'revenue', 'margin'])).toEqual(pick(expected, ['order_month', 'payment_channel', 'revenue', 'margin']));
  });

  it('2: revenue by city at purchase and city now follows the dimension versions the facts point at and the current ones', async () => {
    const expected = await queryDuckDb(
      db,
      `select coalesce(then_c.city, '?') as city_at_purchase, coalesce(now_c.city, '?') as city_now, sum(${RECOGNIZED}) as revenue
       from dw.fact_order_items f
       join dw.dim_customers then_c on then_c.customer_sk = f.customer_sk
       join dw.dim_customers now_c on now_c.customer_id = then_c.customer_id and now_c.is_current
       group by 1, 2 order by revenue desc, 1, 2`,
    );
    const actual = (await queryDuckDb(db, queries[1] as string)).map((r) => ({ ...r, city_at_purchase: r.city_at_purchase ?? '?', city_now: r.city_now ?? '?' }));
    // the generator moves customers: some revenue counts in one city at purchase and another now
    expect(actual.some((r) => r.city_at_purchase !== r.city_now)).toBe(true);
    expect(pick(actual, ['city_at_purchase', 'city_now', 'revenue'])).toEqual(pick(expected, ['city_at_purchase', 'city_now', 'revenue']));
  });

  it('3: the most profitable products at purchase-time cost and at today’s cost match the facts and the current product versions', async () => {
    const expected = await queryDuckDb(
      db,
      `with per_product as (
         select p.product_id, sum(${RECOGNIZED}) as revenue, sum(${RECOGNIZED_MARGIN}) as margin_at_purchase_cost,
           sum(case when coalesce(f.order_status, '') in ('cancelled', 'returned') then 0 else f.quantity end) as units
         from dw.fact_order_items f join dw.dim_products p on p.product_sk = f.product_sk
         group by 1
       )
       select per_product.product_id, now_p.name as name_now, per_product.revenue, per_product.margin_at_purchase_cost,
         per_product.revenue - per_product.units * now_p.unit_cost as margin_at_current_cost
       from per_product join dw.dim_products now_p on now_p.product_id = per_product.product_id and now_p.is_current
       order by margin_at_purchase_cost desc nulls last, product_id limit 10`,
    );
    const actual = await queryDuckDb(db, queries[2] as string);
    const columns = ['product_id', 'name_now', 'revenue', 'margin_at_purchase_cost', 'margin_at_current_cost'];
    expect(actual).toHaveLength(10);
    expect(pick(actual, columns)).toEqual(pick(expected, columns));
  });

  it('4: cohort lifetime values follow each customer’s first order and recognized revenue', async () => {
    const expected = await queryDuckDb(
      db,
      `with orders as (
         select c.customer_id, f.order_ts, case when f.is_cancelled or f.is_returned then 0 else f.net_revenue end as revenue
         from dw.fact_order_fulfillment f join dw.dim_customers c on c.customer_sk = f.customer_sk
       ),
       firsts as (select customer_id, date_trunc('month', min(order_ts)) as cohort_month from orders group by 1),
       sizes as (select cohort_month, count(*) as customers from firsts group by 1),
       monthly as (
         select firsts.cohort_month, date_diff('month', firsts.cohort_month, date_trunc('month', orders.order_ts)) as months_since,
           count(distinct orders.customer_id) as active, sum(orders.revenue) as revenue
         from orders join firsts using (customer_id) group by 1, 2
       )
       select cast(monthly.cohort_month as date) as cohort_month, cast(monthly.months_since as integer) as months_since_first_order, sizes.customers as cohort_customers,
         monthly.active as active_customers,
         sum(monthly.revenue) over (partition by monthly.cohort_month order by monthly.months_since) / sizes.customers as lifetime_value
       from monthly join sizes using (cohort_month) order by 1, 2`,
    );
    const actual = await queryDuckDb(db, queries[3] as string);
    const columns = ['cohort_month', 'months_since_first_order', 'cohort_customers', 'active_customers', 'lifetime_value'];
    // the lake spans May and June: two cohorts, the first active in its second month
    expect(actual.map((r) => [r.cohort_month, r.months_since_first_order])).toEqual([['2024-05-01', 0], ['2024-05-01', 1], ['2024-06-01', 0]]);
    expect(pick(actual, columns)).toEqual(pick(expected, columns));
  });

  it('5: each day’s revenue as first published is what the report said right after that load, and today’s is the facts', async () => {
    const actual = await queryDuckDb(db, queries[4] as string);
    const facts = await queryDuckDb(db, `select cast(f.order_ts as date) as business_date, sum(${RECOGNIZED}) as revenue from dw.fact_order_items f group by 1 order by 1`);
    expect(pick(actual, ['business_date', 'revenue_now'])).toEqual(pick(facts, ['business_date', 'revenue']));
    // the batches after a day's own restate it (late payments, cancellations, deletes)
    expect(actual.some((r) => Number(r.restated_by) !== 0)).toBe(true);
    const firstLoads = await queryDuckDb(
      db,
      `select f.business_date, l.batch_id from known.daily_figures f join known.loads l on l.load_seq = f.known_from
       where f.measure = 'revenue' and f.slice_kind = 'total'
       qualify row_number() over (partition by f.business_date order by f.known_from) = 1 order by 1`,
    );
    const engine = await DuckDbEngine.open({ path: db, lakeRoot: lake });
    try {
      for (const { business_date: day, batch_id: batchId } of firstLoads) {
        const report = await buildReport(engine, { attribution: { kind: 'purchase' }, knownAt: String(batchId), grain: 'day', sections: ['revenue_trend'] });
        const published = report.sections[0]?.rows.find((r) => r.period_start === day)?.revenue;
        const row = actual.find((r) => r.business_date === day);
        expect(Number(row?.revenue_first_published).toFixed(2), `${String(day)} published by ${String(batchId)}`).toBe(Number(published).toFixed(2));
      }
    } finally {
      await engine.close();
    }
  });
});
