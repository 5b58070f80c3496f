import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importOlist, IMPORT_SUMMARY_FILE, RAW_FILE_NAME, type OlistImportSummary } from '../importers/olist/importOlist.js';
import { OlistDataError, OlistSourceError } from '../importers/olist/errors.js';
import { OLIST_FILES } from '../importers/olist/sourceFiles.js';
import { runPipeline, type RunSummary } from '../functions/local/localRunner.js';
import { resolveConfig } from '../functions/core/config.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import { SOURCE_TABLES } from '../functions/core/contract.js';
import { validateWarehouse, type WarehouseValidation } from '../functions/core/steps/validateWarehouse.js';
import { main } from '../cli/main.js';
import { readCsvObjects, toCents } from './helpers/csv.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'olist');

// The source, read without DuckDB: every expected figure below comes from these rows.
const source = {
  orders: readCsvObjects(path.join(FIXTURE, 'olist_orders_dataset.csv')),
  items: readCsvObjects(path.join(FIXTURE, 'olist_order_items_dataset.csv')),
  payments: readCsvObjects(path.join(FIXTURE, 'olist_order_payments_dataset.csv')),
  customers: readCsvObjects(path.join(FIXTURE, 'olist_customers_dataset.csv')),
  products: readCsvObjects(path.join(FIXTURE, 'olist_products_dataset.csv')),
  translations: readCsvObjects(path.join(FIXTURE, 'product_category_name_translation.csv')),
};
const sum = (values: bigint[]): bigint => values.reduce((a, b) => a + b, 0n);
const customerOf = new Map(source.customers.map((c) => [c.customer_id, c]));

let dir: string;
let cleanup: () => void;
let lake: string;
let db: string;
let imported: OlistImportSummary;
let run: RunSummary;
let validation: WarehouseValidation;
const query = (sql: string) => queryDuckDb(db, sql);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('ecomdw-olist-'));
  lake = path.join(dir, 'lake');
  db = path.join(dir, 'warehouse.duckdb');
  imported = await importOlist({ from: FIXTURE, out: lake });
  run = await runPipeline({ lakeDir: lake, dbPath: db, config: resolveConfig({ env: {} }) });
  const engine = await DuckDbEngine.open({ path: db, lakeRoot: lake });
  try {
    validation = await validateWarehouse({ engine, lake: new LocalLake(lake), config: resolveConfig({ env: {} }) });
  } finally {
    await engine.close();
  }
});
afterAll(() => cleanup());

describe('Importing the Olist dataset and running the pipeline on it', () => {
  it('writes one batch per purchase month, each table as one Parquet file per batch', () => {
    // Prepare
    const months = [...new Set(source.orders.map((o) => o.order_purchase_timestamp!.slice(0, 7)))].sort();
    // Assess
    expect(imported.batches).toEqual(months);
    const orderBatches = readdirSync(path.join(lake, 'raw', 'orders')).sort();
    expect(orderBatches).toEqual(months.map((m) => `batch_id=${m}`));
    expect(readdirSync(path.join(lake, 'raw', 'orders', `batch_id=${months[0]}`))).toEqual([RAW_FILE_NAME]);
    expect(imported.rowsByTable).toMatchObject({
      orders: source.orders.length,
      order_items: source.items.length,
      payments: source.payments.length,
      customers: source.customers.length,
      products: source.products.length,
    });
  });

  it('runs every batch to done with no error-severity test failing, in the run and in validate', async () => {
    // Assess
    expect(run.failure).toBeNull();
    expect(run.batches.map((b) => b.batchId)).toEqual(imported.batches);
    expect(run.batches.every((b) => b.testsFailed === 0)).toBe(true);
    const statuses = await query('select status, count(*)::integer as n from audit.batches group by all');
    expect(statuses).toEqual([{ status: 'done', n: imported.batches.length }]);
    expect(await query('select count(*)::integer as n from audit.table_loads where quarantined_rows > 0')).toEqual([{ n: 0 }]);
    expect(validation.failed).toBe(0);
  });

  it('reconciles items, revenue, freight and payments to the cent against the source CSVs', async () => {
    // Prepare
    const expected = {
      items: source.items.length,
      revenue: sum(source.items.map((i) => toCents(i.price!))),
      freight: sum(source.items.map((i) => toCents(i.freight_value!))),
      payments: source.payments.length,
      paid: sum(source.payments.map((p) => toCents(p.payment_value!))),
    };
    // Act
    const [facts] = await query(`
      select count(*)::integer as items, sum(gross_revenue)::varchar as revenue, sum(net_revenue)::varchar as net,
             sum(shipping_amount)::varchar as freight
      from dw.fact_order_items`);
    const [payments] = await query('select count(*)::integer as payments, sum(amount)::varchar as paid from dw.fact_payments');
    // Assess
    expect({
      items: facts!.items,
      revenue: toCents(String(facts!.revenue)),
      freight: toCents(String(facts!.freight)),
      payments: payments!.payments,
      paid: toCents(String(payments!.paid)),
    }).toEqual(expected);
    expect(toCents(String(facts!.net))).toBe(expected.revenue); // Olist records no discounts
  });

  it('reconciles revenue and payments per purchase month', async () => {
    // Prepare
    const orderMonth = new Map(source.orders.map((o) => [o.order_id, o.order_purchase_timestamp!.slice(0, 7)]));
    const expected: Record<string, { revenue: bigint; paid: bigint }> = {};
    const month = (orderId: string) => (expected[orderMonth.get(orderId)!] ??= { revenue: 0n, paid: 0n });
    for (const i of source.items) month(i.order_id!).revenue += toCents(i.price!);
    for (const p of source.payments) month(p.order_id!).paid += toCents(p.payment_value!);
    // Act
    const rows = await query(`
      with orders as (select order_id, strftime(order_ts, '%Y-%m') as month from history.orders),
      revenue as (select orders.month, sum(facts.gross_revenue) as revenue from dw.fact_order_items as facts
                  inner join orders using (order_id) group by all),
      paid as (select orders.month, sum(facts.amount) as paid from dw.fact_payments as facts
               inner join orders using (order_id) group by all)
      select paid.month, coalesce(revenue.revenue, 0)::varchar as revenue, paid.paid::varchar as paid
      from paid left join revenue using (month) order by paid.month`);
    const actual = Object.fromEntries(rows.map((r) => [r.month, { revenue: toCents(String(r.revenue)), paid: toCents(String(r.paid)) }]));
    // Assess
    expect(actual).toEqual(expected);
  });

  it('keys customers by the person (customer_unique_id), and each order sees the address given on it', async () => {
    // Prepare: the city and state each order was placed from, per the source
    const expected = source.orders
      .map((o) => {
        const customer = customerOf.get(o.customer_id!)!;
        return { order_id: o.order_id, customer_id: customer.customer_unique_id, city: customer.customer_city, state: customer.customer_state };
      })
      .sort((a, b) => a.order_id!.localeCompare(b.order_id!));
    const people = new Set(source.customers.map((c) => c.customer_unique_id));
    // Act: the customer version each order's facts point at (items, or payments for orders without items)
    const actual = await query(`
      with order_customers as (
          select distinct order_id, customer_sk from dw.fact_order_items
          union
          select distinct order_id, customer_sk from dw.fact_payments
      )
      select order_customers.order_id, customers.customer_id, customers.city, customers.state
      from order_customers inner join dw.dim_customers as customers using (customer_sk)
      order by order_customers.order_id`);
    const [dimension] = await query(
      'select count(distinct customer_id)::integer as people, count(*)::integer as versions, count(*) filter (where is_inferred)::integer as inferred from dw.dim_customers',
    );
    // Assess
    expect(actual).toEqual(expected);
    expect(dimension!.people).toBe(people.size);
    expect(dimension!.inferred).toBe(0);
    expect(dimension!.versions).toBeGreaterThan(dimension!.people as number); // people who moved have several versions
  });

  it('keeps orders without items: their payments are facts, they have no item rows', async () => {
    // Prepare
    const withItems = new Set(source.items.map((i) => i.order_id));
    const withoutItems = source.orders.filter((o) => !withItems.has(o.order_id)).map((o) => o.order_id!);
    const list = withoutItems.map((id) => `'${id}'`).join(', ');
    // Act
    const [counts] = await query(`
      select (select count(*) from dw.fact_order_items where order_id in (${list}))::integer as items,
             (select count(distinct order_id) from dw.fact_payments where order_id in (${list}))::integer as paid_orders`);
    // Assess
    expect(withoutItems.length).toBeGreaterThanOrEqual(10);
    expect(counts).toEqual({ items: 0, paid_orders: withoutItems.length });
  });

  it('keeps split payments, zero-value payments and not_defined payments as facts', async () => {
    // Prepare
    const longest = source.payments.reduce((a, b) => (Number(b.payment_sequential) > Number(a.payment_sequential) ? b : a));
    const zero = source.payments.filter((p) => toCents(p.payment_value!) === 0n).length;
    const notDefined = source.payments.filter((p) => p.payment_type === 'not_defined').length;
    // Act
    const [facts] = await query(`
      select (select count(*) from dw.fact_payments where order_id = '${longest.order_id}')::integer as longest,
             (select count(*) from dw.fact_payments where amount = 0)::integer as zero,
             (select count(*) from dw.fact_payments as facts inner join dw.dim_payment_methods using (payment_method_key)
              where payment_method_code = 'unknown')::integer as unknown_method`);
    // Assess
    expect(Number(longest.payment_sequential)).toBe(29);
    expect(facts).toEqual({ longest: 29, zero, unknown_method: notDefined });
  });

  it('maps Olist codes through the vocabulary: created → pending, approved and processing → paid, not_defined → unknown', async () => {
    // Prepare
    const expected = new Map<string, string>([
      ['created', 'pending'],
      ['approved', 'paid'],
      ['processing', 'paid'],
      ['canceled', 'cancelled'],
      ['invoiced', 'invoiced'],
      ['unavailable', 'unavailable'],
      ['shipped', 'shipped'],
      ['delivered', 'delivered'],
    ]);
    const wanted = source.orders.map((o) => [o.order_id, expected.get(o.order_status!)]).sort();
    // Act
    const statuses = await query('select order_id, status from history.orders order by order_id');
    const methods = await query('select payment_method_code, is_recognized from dw.dim_payment_methods where not is_recognized order by 1');
    // Assess
    expect(statuses.map((s) => [s.order_id, s.status])).toEqual(wanted);
    expect(methods).toEqual([{ payment_method_code: 'boleto', is_recognized: false }]);
  });

  it('warns only for reasons the README explains: stale 2018 data, boleto, and the statuses invoiced and unavailable', () => {
    // Prepare: the unrecognized statuses of orders that have items (the test looks at item facts)
    const withItems = new Set(source.items.map((i) => i.order_id));
    const unrecognized = [...new Set(source.orders.filter((o) => withItems.has(o.order_id)).map((o) => o.order_status!))]
      .filter((status) => status === 'invoiced' || status === 'unavailable')
      .sort();
    // Act
    const warned = validation.results.filter((r) => r.status === 'warn');
    // Assess
    const explained = /^(\w+\.freshness_warn|dim_payment_methods\.accepted_values|fact_order_items\.accepted_order_status)$/;
    expect(warned.map((r) => r.test).filter((t) => !explained.test(t))).toEqual([]);
    expect(warned.find((r) => r.test === 'dim_payment_methods.accepted_values')?.sampleKeys).toBe('boleto');
    expect(unrecognized).toContain('invoiced');
    expect(warned.find((r) => r.test === 'fact_order_items.accepted_order_status')?.sampleKeys).toBe(unrecognized.join(', '));
  });

  it('derives shipments from the carrier and delivery timestamps, keeping out-of-order ones as recorded', async () => {
    // Prepare
    const expected = source.orders
      .filter((o) => o.order_delivered_carrier_date !== '' || o.order_delivered_customer_date !== '')
      .map((o) => ({
        shipment_id: o.order_id,
        status: o.order_delivered_customer_date !== '' ? 'delivered' : 'shipped',
        shipped_at: o.order_delivered_carrier_date || null,
        delivered_at: o.order_delivered_customer_date || null,
      }))
      .sort((a, b) => a.shipment_id!.localeCompare(b.shipment_id!));
    const outOfOrder = expected.filter((s) => s.delivered_at !== null && s.shipped_at !== null && s.delivered_at < s.shipped_at);
    // Act
    const shipments = await query(`
      select shipment_id, status, strftime(shipped_at, '%Y-%m-%d %H:%M:%S') as shipped_at,
             strftime(delivered_at, '%Y-%m-%d %H:%M:%S') as delivered_at
      from history.shipments order by shipment_id`);
    // Assess
    expect(shipments).toEqual(expected);
    expect(outOfOrder.length).toBeGreaterThan(0);
  });

  it('translates categories, keeps the Portuguese name where no translation exists, NULL where Olist has none', async () => {
    // Prepare
    const english = new Map(source.translations.map((t) => [t.product_category_name, t.product_category_name_english]));
    const expected = source.products
      .map((p) => ({
        product_id: p.product_id,
        category: p.product_category_name === '' ? null : (english.get(p.product_category_name) ?? p.product_category_name),
      }))
      .sort((a, b) => a.product_id!.localeCompare(b.product_id!));
    // Act
    const products = await query('select product_id, category from dw.dim_products where is_current order by product_id');
    // Assess
    expect(products).toEqual(expected);
    expect(expected.some((p) => p.category === null)).toBe(true);
    expect(expected.some((p) => p.category === 'pc_gamer' || p.category === 'portateis_cozinha_e_preparadores_de_alimentos')).toBe(true);
  });

  it('writes a lake summary with the attribution and no timings, and the same source gives byte-identical files', async () => {
    // Prepare
    const again = path.join(dir, 'again');
    // Act
    await importOlist({ from: FIXTURE, out: again });
    // Assess
    expect(readFileSync(path.join(again, IMPORT_SUMMARY_FILE), 'utf8')).toBe(readFileSync(path.join(lake, IMPORT_SUMMARY_FILE), 'utf8'));
    expect(readFileSync(path.join(lake, IMPORT_SUMMARY_FILE), 'utf8')).toMatch(/CC BY-NC-SA 4\.0/);
    for (const table of SOURCE_TABLES) {
      for (const batch of readdirSync(path.join(lake, 'raw', table))) {
        const file = path.join('raw', table, batch, RAW_FILE_NAME);
        expect(readFileSync(path.join(again, file)).equals(readFileSync(path.join(lake, file))), file).toBe(true);
      }
    }
  });
});

describe('Importing Olist files that are missing or broken', () => {
  let broken: string;
  beforeAll(() => {
    broken = path.join(dir, 'broken');
  });
  const copyFixture = (): string => {
    rmSync(broken, { recursive: true, force: true });
    mkdirSync(broken, { recursive: true });
    for (const f of OLIST_FILES) copyFileSync(path.join(FIXTURE, f.file), path.join(broken, f.file));
    return broken;
  };
  const rewrite = (file: string, edit: (text: string) => string) => {
    writeFileSync(path.join(broken, file), edit(readFileSync(path.join(broken, file), 'utf8')));
  };

  it('names the missing --from folder', async () => {
    await expect(importOlist({ from: path.join(dir, 'nowhere'), out: path.join(dir, 'x') })).rejects.toThrow(
      new OlistSourceError(`--from folder not found: ${path.join(dir, 'nowhere')} (expected the Kaggle Olist CSV files there)`),
    );
  });

  it('names a missing file and lists the CSV files that are there', async () => {
    // Prepare
    copyFixture();
    rmSync(path.join(broken, 'olist_order_payments_dataset.csv'));
    // Act + Assess
    await expect(importOlist({ from: broken, out: path.join(dir, 'x') })).rejects.toThrow(
      /missing Olist file\(s\) in .*: olist_order_payments_dataset\.csv \(CSV files there: olist_customers_dataset\.csv, /,
    );
  });

  it('names the file and the column when a column was renamed', async () => {
    // Prepare
    copyFixture();
    rewrite('olist_order_items_dataset.csv', (t) => t.replace('freight_value', 'freight'));
    // Act + Assess
    await expect(importOlist({ from: broken, out: path.join(dir, 'x') })).rejects.toThrow(
      'olist_order_items_dataset.csv lacks column(s) freight_value (its header: order_id, order_item_id, product_id, seller_id, shipping_limit_date, price, freight)',
    );
  });

  it('refuses an orders file with a header and no rows', async () => {
    // Prepare
    copyFixture();
    rewrite('olist_orders_dataset.csv', (t) => `${t.split('\n')[0]}\n`);
    // Act + Assess
    await expect(importOlist({ from: broken, out: path.join(dir, 'x') })).rejects.toThrow(
      new OlistSourceError('olist_orders_dataset.csv holds no orders: nothing to import'),
    );
  });

  it('lists bad timestamps, empty keys and dangling references with file, row and column, and writes nothing', async () => {
    // Prepare
    copyFixture();
    const [first] = source.orders;
    rewrite('olist_orders_dataset.csv', (t) => t.replace(first!.order_purchase_timestamp!, '2017-13-45 10:00:00'));
    rewrite('olist_order_payments_dataset.csv', (t) => `${t}ffffffffffffffffffffffffffffffff,1,boleto,1,10.00\n`);
    const out = path.join(dir, 'not-written');
    // Act
    const error = await importOlist({ from: broken, out }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(OlistDataError);
    const message = (error as Error).message;
    expect(message).toContain(`olist_orders_dataset.csv row 1: order_purchase_timestamp '2017-13-45 10:00:00' is not a timestamp as %Y-%m-%d %H:%M:%S`);
    expect(message).toContain(
      `olist_order_payments_dataset.csv row ${source.payments.length + 1}: order_id 'ffffffffffffffffffffffffffffffff' is not in olist_orders_dataset.csv`,
    );
    expect((error as OlistDataError).problemCount).toBe(2);
    expect(() => readdirSync(out)).toThrow();
  });

  it('refuses a lake that already holds raw files', async () => {
    await expect(importOlist({ from: FIXTURE, out: lake })).rejects.toThrow(/out already holds a lake/);
  });

  it('exits 2 with one line for a missing file and 1 for bad values, from the command line', async () => {
    // Prepare
    copyFixture();
    rmSync(path.join(broken, 'olist_products_dataset.csv'));
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      // Act
      const missing = await main(['import', 'olist', '--from', broken, '--out', path.join(dir, 'y')]);
      const missingLines = errors.filter((l) => l.startsWith('ecomdw: '));
      copyFixture();
      rewrite('olist_customers_dataset.csv', (t) => t.replace(/\n[^,\n]+,/, '\n,'));
      errors.length = 0;
      process.exitCode = undefined;
      await main(['import', 'olist', '--from', broken, '--out', path.join(dir, 'y')]);
      const badValues = Number(process.exitCode);
      process.exitCode = undefined;
      // Assess
      expect(missing).toBe(2);
      expect(missingLines).toEqual([expect.stringMatching(/^ecomdw: missing Olist file\(s\) in .*: olist_products_dataset\.csv \(/)]);
      expect(badValues).toBe(1);
      expect(errors.join('')).toMatch(/olist_customers_dataset\.csv row 1: customer_id is empty/);
    } finally {
      process.stderr.write = write;
    }
  });
});
