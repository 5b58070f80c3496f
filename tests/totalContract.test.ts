import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;
const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;
const ITEM_HEADER = 'order_id,line_number,product_id,quantity,unit_price,discount_amount,shipping_amount,updated_at';

/** One ordinary batch of every table; `extra` adds rows (CSV lines after the header) per table. */
function writeBatch(lake: string, extra: Partial<Record<string, string[]>> = {}): void {
  writeRaw(lake, 'customers', 'b1', 'customers.csv', csv('customer_id,city,updated_at', 'c1,Lyon,2024-01-01T08:00:00Z', ...(extra.customers ?? [])));
  writeRaw(lake, 'products', 'b1', 'products.csv', csv('product_id,name,list_price,unit_cost,updated_at', 'p1,Kettle,30.00,12.00,2024-01-01T07:00:00Z'));
  writeRaw(lake, 'orders', 'b1', 'orders.csv', csv('order_id,customer_id,order_ts,status,updated_at', 'o1,c1,2024-01-01T12:00:00Z,paid,2024-01-01T12:00:00Z', ...(extra.orders ?? [])));
  writeRaw(lake, 'order_items', 'b1', 'order_items.csv', csv(ITEM_HEADER, 'o1,1,p1,2,30.00,5.00,4.50,2024-01-01T12:00:00Z', ...(extra.order_items ?? [])));
  writeRaw(lake, 'payments', 'b1', 'payments.csv', csv('payment_id,order_id,payment_method,amount,paid_at', 'y1,o1,credit_card,59.50,2024-01-01T12:01:00Z', ...(extra.payments ?? [])));
  writeRaw(lake, 'shipments', 'b1', 'shipments.csv', csv('shipment_id,order_id,status,updated_at', 's1,o1,shipped,2024-01-01T18:00:00Z'));
}

describe('A total contract: no value accepted by normalization breaks a later step (issue 11.2)', () => {
  let dir: string;
  let cleanup: () => void;
  let lake: string;
  let db: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('ecomdw-total-'));
    lake = path.join(dir, 'lake');
    db = path.join(dir, 'warehouse.duckdb');
  });
  afterEach(() => cleanup());

  const quarantined = (table: string) =>
    queryDuckDb(':memory:', `select * exclude (source_file) from read_parquet('${path.join(lake, 'quarantine', table, 'batch_id=b1', '*.parquet')}') order by source_row`);

  it.each([
    ['quantity beyond its limit', ['o1,2,p1,1000000,3.00,,,2024-01-01T12:00:00Z'], 'quantity is out of range (max 100000)'],
    ['unit_price beyond its limit', ['o1,2,p1,100000,99999999999.0000,,,2024-01-01T12:00:00Z'], 'unit_price is out of range (max 999999999.9999)'],
  ])('quarantines an item with %s, whose amounts would not fit decimal(18,4), instead of failing BuildFacts', async (_case, items, reason) => {
    // Prepare
    writeBatch(lake, { order_items: items });
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });
    // Assess
    expect(summary.failure?.message ?? null).toBeNull();
    expect((await quarantined('order_items')).map((r) => [r.line_number, r.reject_reason])).toEqual([['2', reason]]);
  });

  it.each([
    ['1985-06-01T10:00:00Z', 19850601],
    ['2075-03-04T10:00:00Z', 20750304],
  ])('keeps an order dated %s and gives dim_date the day its facts carry', async (orderTs, dateKey) => {
    // Prepare
    writeBatch(lake, {
      orders: [`o2,c1,${orderTs},paid,2024-01-01T12:00:00Z`],
      order_items: ['o2,1,p1,1,30.00,,,2024-01-01T12:00:00Z'],
      payments: [`y2,o2,paypal,30.00,${orderTs}`],
    });
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });
    // Assess
    expect(summary.failure?.message ?? null).toBeNull();
    const [row] = await queryDuckDb(db, `select
        (select order_date_key from dw.fact_order_items where order_id = 'o2') as order_date_key,
        (select payment_date_key from dw.fact_payments where payment_id = 'y2') as payment_date_key,
        (select count(*) from dw.dim_date where date_key = ${dateKey})::integer as calendar_rows`);
    expect(row).toEqual({ order_date_key: dateKey, payment_date_key: dateKey, calendar_rows: 1 });
  });

  it.each([
    ['1850-01-01T00:00:00Z'],
    ['1899-12-31T23:59:59Z'],
    ['1900-01-01T00:30:00+01:00'],
    ['9999-12-31T00:00:00Z'],
    ['9999-12-31T12:00:00Z'],
  ])('quarantines a customer change dated %s, outside the SCD2 sentinels, instead of breaking the tiling test', async (updatedAt) => {
    // Prepare
    writeBatch(lake, { customers: [`c1,Paris,${updatedAt}`] });
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });
    // Assess
    expect(summary.failure?.message ?? null).toBeNull();
    expect((await quarantined('customers')).map((r) => [r.city, r.reject_reason])).toEqual([
      ['Paris', 'updated_at is out of range [1900-01-01 00:00:00, 9999-12-31 00:00:00)'],
    ]);
  });

  it('keeps changes dated on the first instant of the range and just before its end', async () => {
    // Prepare
    writeBatch(lake, { customers: ['c1,Paris,1900-01-01T00:00:00Z', 'c1,Rome,9999-12-30T23:59:59.999999Z'] });
    // Act
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });
    // Assess
    expect(summary.failure?.message ?? null).toBeNull();
    expect(await queryDuckDb(db, `select city, strftime(valid_from, '%Y-%m-%d %H:%M:%S.%f') as valid_from from dw.dim_customers order by valid_from`)).toEqual([
      { city: 'Paris', valid_from: '1900-01-01 00:00:00.000000' },
      { city: 'Lyon', valid_from: '2024-01-01 08:00:00.000000' },
      { city: 'Rome', valid_from: '9999-12-30 23:59:59.999999' },
    ]);
  });
});
