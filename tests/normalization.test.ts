import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SourceTable } from '../functions/core/contract.js';
import { batchPrefix } from '../functions/core/lake/layout.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';

const BATCH = '2024-01-01';
const ITEM_HEADER = 'order_id,line_number,product_id,quantity,unit_price,updated_at,discount_amount,shipping_amount,is_deleted';

let lake: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: lake, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** The Parquet files the normalizer wrote for a table of the batch, in one zone. */
const outputFiles = (zone: 'silver' | 'quarantine', table: SourceTable): string => path.join(lake, batchPrefix(zone, table, BATCH), '*.parquet');

async function quarantine(table: SourceTable): Promise<Record<string, unknown>[]> {
  return queryDuckDb(':memory:', `select * from read_parquet('${outputFiles('quarantine', table)}', hive_partitioning = false) order by source_file, source_row`);
}

async function silver(table: SourceTable): Promise<Record<string, unknown>[]> {
  return queryDuckDb(':memory:', `select * from read_parquet('${outputFiles('silver', table)}', hive_partitioning = false) order by source_file, source_row`);
}

describe('Normalizing a raw table into silver and quarantine', () => {
  it.each([
    ['an unparseable number', 'o1,1,p1,2,ten,2024-01-01 00:00:00,,,', 'unit_price is not a number'],
    ['an unparseable integer', 'o1,1,p1,2.5,10,2024-01-01 00:00:00,,,', 'quantity is not an integer'],
    ['an unparseable timestamp', 'o1,1,p1,2,10,2024-13-45 99:00,,,', 'updated_at is not a timestamp'],
    ['an unparseable boolean', 'o1,1,p1,2,10,2024-01-01 00:00:00,,,maybe', 'is_deleted is not a boolean'],
    ['a missing key', ',1,p1,2,10,2024-01-01 00:00:00,,,', 'missing key order_id'],
    ['a missing required value', 'o1,1,,2,10,2024-01-01 00:00:00,,,', 'missing required product_id'],
    ['a negative quantity', 'o1,1,p1,-2,10,2024-01-01 00:00:00,,,', 'quantity is negative'],
    ['a negative unit_price', 'o1,1,p1,2,-10,2024-01-01 00:00:00,,,', 'unit_price is negative'],
    ['a negative shipping_amount', 'o1,1,p1,2,10,2024-01-01 00:00:00,,-1,', 'shipping_amount is negative'],
    ['a zero quantity', 'o1,1,p1,0,10,2024-01-01 00:00:00,,,', 'quantity is zero'],
    ['a discount above quantity × unit_price', 'o1,1,p1,2,10,2024-01-01 00:00:00,20.01,,', 'discount_amount exceeds quantity * unit_price'],
  ])('quarantines a row with %s, naming file, row and reason', async (_case, row, reason) => {
    // Prepare
    writeRaw(lake, 'order_items', BATCH, 'part-0.csv', `${ITEM_HEADER}\no9,1,p1,1,5,2024-01-01 00:00:00,,,\n${row}\n`);
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'order_items', batchId: BATCH });
    // Assess
    const rejected = await quarantine('order_items');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ reject_reason: reason, source_file: `raw/order_items/batch_id=${BATCH}/part-0.csv`, source_row: '2' });
    expect(manifest).toMatchObject({ rawRows: 2, silverRows: 1, quarantinedRows: 1 });
  });

  it('writes silver rows in source order, file by file and row by row, without being asked to sort', async () => {
    // Prepare: three files of several thousand rows, one with rejects spread through it
    const lines = (from: number, count: number, bad: (i: number) => boolean) =>
      Array.from({ length: count }, (_, k) => from + k).map((i) => `o${i},1,p1,${bad(i) ? 'x' : 1},5,2024-01-01 00:00:00,,,`);
    writeRaw(lake, 'order_items', BATCH, 'part-0.csv', [ITEM_HEADER, ...lines(0, 4000, (i) => i % 97 === 0)].join('\n'));
    writeRaw(lake, 'order_items', BATCH, 'part-1.csv', [ITEM_HEADER, ...lines(4000, 3000, () => false)].join('\n'));
    writeRaw(
      lake, 'order_items', BATCH, 'part-2.jsonl',
      Array.from({ length: 2500 }, (_, k) => JSON.stringify({ order_id: `o${7000 + k}`, line_number: 1, product_id: 'p1', quantity: 1, unit_price: 5, updated_at: '2024-01-01 00:00:00' })).join('\n'),
    );
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'order_items', batchId: BATCH });
    // Assess: the file as written is already ordered by (source_file, source_row)
    const asWritten = await queryDuckDb(':memory:', `select source_file, source_row from read_parquet('${outputFiles('silver', 'order_items')}', hive_partitioning = false)`);
    const sorted = [...asWritten].sort((a, b) => String(a.source_file).localeCompare(String(b.source_file)) || Number(a.source_row) - Number(b.source_row));
    expect(asWritten.length).toBe(4000 - 42 + 3000 + 2500);
    expect(asWritten).toEqual(sorted);
  });

  it('quarantines a negative payment amount', async () => {
    // Prepare
    writeRaw(lake, 'payments', BATCH, 'p.csv', 'payment_id,order_id,payment_method,amount,paid_at\npy1,o1,card,-3,2024-01-01\n');
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'payments', batchId: BATCH });
    // Assess
    expect((await quarantine('payments'))[0]?.reject_reason).toBe('amount is negative');
  });

  it('converts offsets to UTC, reads naive timestamps as UTC and keeps a discount equal to the gross', async () => {
    // Prepare
    writeRaw(lake, 'order_items', BATCH, 'part-0.csv', `${ITEM_HEADER}\no1,1,p1,2,10,2024-01-01T10:00:00+02:00,20,,\no1,2,p1,1,5,2024-01-01T10:00:00Z,,,TRUE\no1,3,p1,1,5,2024-01-01 10:00:00,,,0\n`);
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'order_items', batchId: BATCH });
    // Assess
    const rows = await silver('order_items');
    expect(rows.map((r) => [r.updated_at, r.is_deleted])).toEqual([
      ['2024-01-01 08:00:00', false],
      ['2024-01-01 10:00:00', true],
      ['2024-01-01 10:00:00', false],
    ]);
  });

  it('maps vocabulary synonyms to canonical codes and keeps unseen codes, lower-cased', async () => {
    // Prepare
    writeRaw(lake, 'payments', BATCH, 'p.csv', 'payment_id,order_id,payment_method,amount,paid_at\npy1,o1, CARD ,3,2024-01-01\npy2,o1,Boleto,4,2024-01-01\n');
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'payments', batchId: BATCH });
    // Assess
    expect((await silver('payments')).map((r) => r.payment_method)).toEqual(['credit_card', 'boleto']);
  });

  it('ignores and reports extra columns, fills missing optional columns with NULL, matches names case-insensitively', async () => {
    // Prepare
    writeRaw(lake, 'customers', BATCH, 'c.csv', 'Customer_ID,UPDATED_AT,City,loyalty_tier\nc1,2024-01-01,Paris,gold\n');
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect(manifest.files[0]?.extraColumns).toEqual(['loyalty_tier']);
    expect(manifest.files[0]?.missingOptionalColumns).toContain('email');
    const [row] = await silver('customers');
    expect(row).toMatchObject({ customer_id: 'c1', city: 'Paris', email: null });
    expect(row).not.toHaveProperty('loyalty_tier');
  });

  it('quarantines every row of a file that lacks a required column, with the reason', async () => {
    // Prepare
    writeRaw(lake, 'customers', BATCH, 'ok.csv', 'customer_id,updated_at\nc1,2024-01-01\n');
    writeRaw(lake, 'customers', BATCH, 'no_ts.csv', 'customer_id,city\nc2,Paris\nc3,Lyon\n');
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect(manifest).toMatchObject({ rawRows: 3, silverRows: 1, quarantinedRows: 2 });
    const rejected = await quarantine('customers');
    expect(rejected.map((r) => [r.customer_id, r.reject_reason])).toEqual([
      ['c2', 'missing required column(s): updated_at'],
      ['c3', 'missing required column(s): updated_at'],
    ]);
  });

  it('quarantines a malformed file as one record naming it and goes on with the other files', async () => {
    // Prepare
    writeRaw(lake, 'orders', BATCH, 'a.jsonl', '{"order_id":"o1","customer_id":"c1","order_ts":"2024-01-01","updated_at":"2024-01-01"}\n');
    writeRaw(lake, 'orders', BATCH, 'b.jsonl', '{"order_id": "o2", broken\n');
    writeRaw(lake, 'orders', BATCH, 'c.parquet', 'PAR1 this is not parquet');
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'orders', batchId: BATCH });
    // Assess
    expect(manifest).toMatchObject({ rawRows: 3, silverRows: 1, quarantinedRows: 2 });
    const rejected = await quarantine('orders');
    expect(rejected.map((r) => r.source_file)).toEqual([`raw/orders/batch_id=${BATCH}/b.jsonl`, `raw/orders/batch_id=${BATCH}/c.parquet`]);
    expect(String(rejected[0]?.reject_reason)).toMatch(/^malformed jsonl file/);
    expect(String(rejected[1]?.reject_reason)).toMatch(/^malformed parquet file/);
  });

  it('reads parquet and JSON lines files with typed values as the same strings a CSV carries', async () => {
    // Prepare
    writeRaw(lake, 'products', BATCH, 'a.jsonl', '{"product_id":"p1","updated_at":"2024-01-01T00:00:00Z","list_price":12.5,"is_deleted":false}\n');
    const parquet = path.join(lake, 'raw', 'products', `batch_id=${BATCH}`, 'b.parquet');
    await queryDuckDb(':memory:', `copy (select 'p2' as product_id, timestamp '2024-01-02 00:00:00' as updated_at, 7.25::decimal(10,2) as unit_cost) to '${parquet}' (format parquet)`);
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'products', batchId: BATCH });
    // Assess
    expect(manifest.quarantinedRows).toBe(0);
    expect((await silver('products')).map((r) => [r.product_id, r.list_price, r.unit_cost, r.updated_at])).toEqual([
      ['p1', '12.5000', null, '2024-01-01 00:00:00'],
      ['p2', null, '7.2500', '2024-01-02 00:00:00'],
    ]);
  });
});

describe('Reading raw files faithfully (issue 11.3)', () => {
  const CUSTOMER_HEADER = 'customer_id,updated_at,email,first_name,last_name,city';

  it('reads RFC 4180 quoting with an explicit dialect: a quoted comma, an apostrophe and doubled quotes', async () => {
    // Prepare: with a nickname in single quotes, DuckDB's sniffer took ' for the quote and read no row of a.csv at all
    writeRaw(lake, 'customers', BATCH, 'a.csv', `${CUSTOMER_HEADER}\nc1,2024-01-01,a@x.io,'Bobby',"O'Neil, Jr.",Paris\n`);
    writeRaw(lake, 'customers', BATCH, 'b.csv', `${CUSTOMER_HEADER}\nc2,2024-01-01,b@x.io,Bo,"the ""boss""",Lyon\n`);
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect(manifest).toMatchObject({ rawRows: 2, quarantinedRows: 0 });
    expect((await silver('customers')).map((r) => [r.customer_id, r.first_name, r.last_name, r.city])).toEqual([
      ['c1', "'Bobby'", "O'Neil, Jr.", 'Paris'],
      ['c2', 'Bo', 'the "boss"', 'Lyon'],
    ]);
  });

  it('quarantines a ragged CSV row alone, with its own reason, and keeps the file\'s other rows', async () => {
    // Prepare: one row with a field too many, one with a field too few
    writeRaw(lake, 'customers', BATCH, 'c.csv', `${CUSTOMER_HEADER}\nc1,2024-01-01,a@x.io,Ann,Lee,Paris\nc2,2024-01-01,b@x.io,Bo,Berg,Oslo,extra\nc3,2024-01-01,c@x.io,Cy,Moe\nc4,2024-01-01,,,,\n`);
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect(manifest).toMatchObject({ rawRows: 4, silverRows: 2, quarantinedRows: 2 });
    expect((await quarantine('customers')).map((r) => [r.source_row, r.customer_id, r.reject_reason])).toEqual([
      ['2', 'c2', 'row has more fields than the header (6)'],
      ['3', 'c3', 'row has fewer fields than the header (6)'],
    ]);
  });

  it('never lets one value with a named zone shift the other rows\' timestamps', async () => {
    // Prepare
    writeRaw(lake, 'customers', BATCH, 'c.csv', 'customer_id,updated_at\nc1,2024-06-01T10:00:00 Europe/Paris\nc2,2024-06-01 10:00:00\nc3,2024-06-01T10:00:00+02:00\n');
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect((await silver('customers')).map((r) => [r.customer_id, r.updated_at])).toEqual([
      ['c2', '2024-06-01 10:00:00'],
      ['c3', '2024-06-01 08:00:00'],
    ]);
    expect((await quarantine('customers')).map((r) => [r.customer_id, r.reject_reason])).toEqual([['c1', 'updated_at is not a timestamp']]);
  });

  it.each([['2024'], ['2024-01'], ['10:00:00'], ['2024-01-01 24:00:00'], ['2024-02-30']])('quarantines the partial or impossible timestamp %s', async (value) => {
    // Prepare
    writeRaw(lake, 'customers', BATCH, 'c.csv', `customer_id,updated_at\nc1,${value}\n`);
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect((await quarantine('customers')).map((r) => r.reject_reason)).toEqual(['updated_at is not a timestamp']);
  });

  it('loads Parquet DECIMAL(38,6) and DECIMAL(38,10) columns whose values fit decimal(18,4) exactly', async () => {
    // Prepare: Spark's default decimal types
    const file = path.join(lake, 'raw', 'payments', `batch_id=${BATCH}`, 'p.parquet');
    writeRaw(lake, 'payments', BATCH, '.keep', '');
    await queryDuckDb(':memory:', `copy (select * from (values
        ('y1', 'o1', 'card', 12.5::decimal(38,6), 1.25::decimal(38,10), timestamp '2024-01-01 00:00:00'),
        ('y2', 'o1', 'card', 0.00001::decimal(38,6), 0::decimal(38,10), timestamp '2024-01-01 00:00:00')
      ) as t(payment_id, order_id, payment_method, amount, extra_amount, paid_at)) to '${file}' (format parquet)`);
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'payments', batchId: BATCH });
    // Assess
    expect((await silver('payments')).map((r) => [r.payment_id, r.amount])).toEqual([['y1', '12.5000']]);
    expect((await quarantine('payments')).map((r) => [r.payment_id, r.amount, r.reject_reason])).toEqual([
      ['y2', '0.000010', 'amount has more than 4 decimal places (rounding would lose precision)'],
    ]);
  });

  it('loads a Parquet DOUBLE by its shortest round-trip decimal, and names the precision loss when that does not fit', async () => {
    // Prepare
    const file = path.join(lake, 'raw', 'payments', `batch_id=${BATCH}`, 'p.parquet');
    writeRaw(lake, 'payments', BATCH, '.keep', '');
    await queryDuckDb(':memory:', `copy (select * from (values
        ('y1', 'o1', 'card', 12.25::double, timestamp '2024-01-01 00:00:00'),
        ('y2', 'o1', 'card', 0.1::double + 0.2::double, timestamp '2024-01-01 00:00:00'),
        ('y3', 'o1', 'card', 12345678.9::double, timestamp '2024-01-01 00:00:00')
      ) as t(payment_id, order_id, payment_method, amount, paid_at)) to '${file}' (format parquet)`);
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'payments', batchId: BATCH });
    // Assess
    expect((await silver('payments')).map((r) => [r.payment_id, r.amount])).toEqual([['y1', '12.2500'], ['y3', '12345678.9000']]);
    expect((await quarantine('payments')).map((r) => [r.payment_id, r.amount, r.reject_reason])).toEqual([
      ['y2', '0.30000000000000004', 'amount has more than 4 decimal places (rounding would lose precision)'],
    ]);
  });

  it('says a 20-digit integer is out of range, not that it is not an integer', async () => {
    // Prepare
    writeRaw(lake, 'order_items', BATCH, 'i.csv', `${ITEM_HEADER}\no1,12345678901234567890,p1,1,5,2024-01-01,,,\n`);
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'order_items', batchId: BATCH });
    // Assess
    expect((await quarantine('order_items')).map((r) => r.reject_reason)).toEqual(['line_number is out of range (max 999999999)']);
  });

  it('reads numbers in scientific notation by their exact value, in CSV as in JSON lines', async () => {
    // Prepare: the README used to say scientific notation is rejected, while JSON 1e2 loaded as 100
    writeRaw(lake, 'payments', BATCH, 'a.csv', 'payment_id,order_id,payment_method,amount,paid_at\ny1,o1,card,1e2,2024-01-01\ny2,o1,card,1.5E-2,2024-01-01\ny3,o1,card,1e-5,2024-01-01\n');
    writeRaw(lake, 'payments', BATCH, 'b.jsonl', '{"payment_id":"y4","order_id":"o1","payment_method":"card","amount":1e2,"paid_at":"2024-01-01"}\n');
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'payments', batchId: BATCH });
    // Assess
    expect((await silver('payments')).map((r) => [r.payment_id, r.amount])).toEqual([['y1', '100.0000'], ['y2', '0.0150'], ['y4', '100.0000']]);
    expect((await quarantine('payments')).map((r) => [r.payment_id, r.reject_reason])).toEqual([
      ['y3', 'amount has more than 4 decimal places (rounding would lose precision)'],
    ]);
  });

  it('reads gzip-compressed CSV and JSON lines files', async () => {
    // Prepare
    const folder = path.join(lake, 'raw', 'customers', `batch_id=${BATCH}`);
    writeRaw(lake, 'customers', BATCH, '.keep', '');
    writeFileSync(path.join(folder, 'a.csv.gz'), gzipSync('customer_id,updated_at,city\nc1,2024-01-01,"Paris, 75"\n'));
    writeFileSync(path.join(folder, 'b.jsonl.gz'), gzipSync('{"customer_id":"c2","updated_at":"2024-01-01","city":"Lyon"}\n'));
    // Act
    const manifest = await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect(manifest.files.map((f) => [f.file.split('/').pop(), f.format, f.fileError])).toEqual([
      ['a.csv.gz', 'csv', null],
      ['b.jsonl.gz', 'jsonl', null],
    ]);
    expect((await silver('customers')).map((r) => [r.customer_id, r.city])).toEqual([['c1', 'Paris, 75'], ['c2', 'Lyon']]);
  });

  it('quarantines a value longer in bytes than its warehouse column, naming the column and its byte length', async () => {
    // Prepare: 86 CJK characters are 258 bytes, over a varchar(256); 85 are 255 bytes
    const long = '漢'.repeat(86);
    const fits = '漢'.repeat(85);
    writeRaw(lake, 'customers', BATCH, 'c.csv', `customer_id,updated_at,city\nc1,2024-01-01,${long}\nc2,2024-01-01,${fits}\n`);
    // Act
    await normalizeTable(new LocalLake(lake), { table: 'customers', batchId: BATCH });
    // Assess
    expect((await silver('customers')).map((r) => r.customer_id)).toEqual(['c2']);
    expect((await quarantine('customers')).map((r) => [r.customer_id, r.reject_reason])).toEqual([['c1', 'city is longer than 256 bytes']]);
  });
});
