import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { generateLake } from '../generator/generateLake.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';
import { runEcomdw } from './helpers/cli.js';

const config = TEST_CONFIG;

const ecomdw = runEcomdw;

/** The report variants saved after batch k and reproduced later: formats (HTML with its charts too), attributions, grains, a section filter. */
const VARIANTS: Readonly<Record<string, string[]>> = {
  'plain.txt': [],
  'plain.json': ['--format', 'json'],
  'current.csv': ['--format', 'csv', '--attribution', 'current'],
  'as-of.json': ['--json', '--attribution', 'as-of:2024-03-01', '--grain', 'month'],
  'restatements.txt': ['--section', 'restatements,revenue_trend,categories', '--grain', 'week'],
  'page.html': ['--format', 'html'],
};

describe('Reports that stop drifting: --known-at reproduces a past report byte for byte', () => {
  const { dir, cleanup } = tempDir('ecomdw-report-');
  const lake = path.join(dir, 'lake');
  const db = path.join(dir, 'w.duckdb');
  const saved = path.join(dir, 'saved');
  const reproduced = path.join(dir, 'reproduced');
  const batches = ['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04'];
  const k = '2024-03-02';
  const corrections = '2024-03-05';
  /** What the corrections batch changed, picked from the warehouse once the generated batches are in. */
  let picked: Corrections;
  const report = (args: string[], out: string) => ecomdw(['report', '--db', db, '--out', out, ...args]);

  beforeAll(async () => {
    await generateLake({ out: lake, scale: 0.01, days: 4, seed: 7, format: 'mixed', startDate: '2024-03-01' });
    for (const batchId of batches.slice(0, 2)) {
      const summary = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId });
      expect(summary.failure).toBeNull();
    }
    // The report as a user would have saved it right after batch k.
    for (const [file, args] of Object.entries(VARIANTS)) expect((await report(args, path.join(saved, file))).code).toBe(0);
  }, 120_000);
  afterAll(() => cleanup());

  it('leaves the plain report as it was while a later batch fails after its report rows were written', async () => {
    // Act: batch 3 fails in ValidateBatch, after BuildMarts committed what it knew.
    const failed = await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      batchId: batches[2],
      overrides: { ValidateBatch: async () => Promise.reject(new Error('injected failure after BuildMarts')) },
    });
    await report([], path.join(reproduced, 'after-failure.txt'));
    // Assess: the attempt wrote rows, yet neither the plain report nor k's moved.
    expect(failed.failure?.message).toMatch(/injected failure after BuildMarts/);
    const [attempt] = await queryDuckDb(db, `select count(*)::integer as rows from known.order_items where known_from = (select max(load_seq) from known.loads)`);
    expect(attempt?.rows).toBeGreaterThan(0);
    expect(readFileSync(path.join(reproduced, 'after-failure.txt'), 'utf8')).toBe(readFileSync(path.join(saved, 'plain.txt'), 'utf8'));
  }, 120_000);

  it('reproduces every saved variant after later batches with late changes, back-dated costs, deletes and cancellations', async () => {
    // Prepare: the failed batch again and the rest of the lake, then corrections of what batch k had published.
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config });
    expect(summary.failure).toBeNull();
    expect(summary.batches.map((b) => b.batchId)).toEqual(batches.slice(2));
    picked = await pickCorrections(db);
    writeCorrections(lake, corrections, picked);
    expect((await runPipeline({ lakeDir: lake, dbPath: db, config })).batches.map((b) => b.batchId)).toEqual([corrections]);
    // Act
    for (const [file, args] of Object.entries(VARIANTS)) expect((await report([...args, '--known-at', k], path.join(reproduced, file))).code).toBe(0);
    // Assess: byte for byte, while the current report has moved on.
    for (const file of Object.keys(VARIANTS)) {
      expect(readFileSync(path.join(reproduced, file), 'utf8'), file).toBe(readFileSync(path.join(saved, file), 'utf8'));
    }
    await report([], path.join(reproduced, 'now.txt'));
    expect(readFileSync(path.join(reproduced, 'now.txt'), 'utf8')).not.toBe(readFileSync(path.join(saved, 'plain.txt'), 'utf8'));
  }, 180_000);

  it('records the corrections as the causes of the figures they restated, and lists what moved since batch k in words', async () => {
    // Act
    const { code, stdout } = await ecomdw(['report', '--db', db, '--changes-since', k, '--section', 'restatements', '--json']);
    const recorded = await queryDuckDb(
      db,
      `select distinct cause, first_key as cause_key from audit.restatement_causes
       where load_seq = (select max(load_seq) from known.loads where batch_id = '${corrections}') and first_key = last_key
       order by cause, cause_key`,
    );
    const [spread] = await queryDuckDb(
      db,
      `select count(*)::integer as n from audit.restatement_causes
       where load_seq = (select max(load_seq) from known.loads where batch_id = '${corrections}') and (first_key <> last_key or change_rows <> 1)`,
    );
    // Assess: the corrections batch restated figures for exactly the changes it carried, one change row each
    // (the product row carries no category: its category slices move too).
    expect(spread?.n).toBe(0);
    expect(recorded).toEqual([
      { cause: 'cancellation', cause_key: picked.cancelledOrder.id },
      { cause: 'customer_change', cause_key: picked.customer },
      { cause: 'deleted_item', cause_key: picked.deletedItem },
      { cause: 'product_category_change', cause_key: picked.product },
      { cause: 'product_cost_correction', cause_key: picked.product },
    ]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout).sections[0].rows as { causes: string; explanation: string }[];
    const causes = rows.map((r) => r.causes).join(' | ');
    for (const words of ['back-dated product cost correction', 'deleted item', 'cancellation', 'back-dated customer change (segment or city)']) {
      expect(causes).toContain(words);
    }
    // every figure that moved says by how much, from what to what, and why
    for (const row of rows) {
      expect(row.explanation).toMatch(/^2024-03-0[12] (revenue|margin|payments)( for (payment channel|category|segment|city) .+)? [+−][\d,]+\.\d\d \(was -?[\d,]+\.\d\d, now -?[\d,]+\.\d\d\): \d+ /);
    }
  }, 60_000);
});

interface Corrections {
  readonly product: string;
  readonly productChangedAt: string;
  readonly customer: string;
  readonly customerChangedAt: string;
  readonly deletedItem: string;
  readonly deletedItemProduct: string;
  readonly cancelledOrder: { readonly id: string; readonly customer: string; readonly orderTs: string };
}

// Orders of 2024-03-02 still booked: a product and a customer of two of them
// (changed one second before the order, so its facts are re-pointed), an item
// of a third to delete, a fourth to cancel.
async function pickCorrections(db: string): Promise<Corrections> {
  const day = await queryDuckDb(
    db,
    `select items.order_id, items.line_number, items.product_id, items.customer_id,
         strftime(orders.order_ts, '%Y-%m-%d %H:%M:%S') as order_ts,
         strftime(orders.order_ts - interval 1 second, '%Y-%m-%d %H:%M:%S') as just_before
     from known.order_items as items
     join known.orders as orders on orders.order_id = items.order_id and orders.known_to is null
     where items.known_to is null and items.order_date = date '2024-03-02' and items.revenue_state = 'booked'
       and not items.is_product_inferred and not items.is_customer_inferred and items.recognized_margin is not null
     order by orders.order_ts, items.order_id, items.line_number`,
  );
  const pick = (i: number) => {
    const row = day[i];
    if (!row) throw new Error(`only ${day.length} booked items on 2024-03-02`);
    return row;
  };
  const [forProduct, forCustomer, forDelete, forCancel] = [pick(0), pick(day.length - 1), pick(3), pick(day.length - 5)];
  return {
    product: String(forProduct.product_id),
    productChangedAt: String(forProduct.just_before),
    customer: String(forCustomer.customer_id),
    customerChangedAt: String(forCustomer.just_before),
    deletedItem: `${String(forDelete.order_id)}#${String(forDelete.line_number)}`,
    deletedItemProduct: String(forDelete.product_id),
    cancelledOrder: { id: String(forCancel.order_id), customer: String(forCancel.customer_id), orderTs: String(forCancel.order_ts) },
  };
}

function writeCorrections(lake: string, batchId: string, picked: Corrections): void {
  const [orderId, line] = picked.deletedItem.split('#') as [string, string];
  const { cancelledOrder: cancel } = picked;
  writeRaw(lake, 'products', batchId, 'cost.csv', `product_id,updated_at,unit_cost\n${picked.product},${picked.productChangedAt},0.01\n`);
  writeRaw(lake, 'customers', batchId, 'move.csv', `customer_id,updated_at,city\n${picked.customer},${picked.customerChangedAt},Springfield\n`);
  writeRaw(
    lake,
    'order_items',
    batchId,
    'delete.csv',
    `order_id,line_number,product_id,quantity,unit_price,updated_at,is_deleted\n${orderId},${line},${picked.deletedItemProduct},1,1,2024-03-05 12:00:00,true\n`,
  );
  writeRaw(lake, 'orders', batchId, 'cancel.csv', `order_id,customer_id,order_ts,updated_at,status\n${cancel.id},${cancel.customer},${cancel.orderTs},2024-03-05 12:00:00,cancelled\n`);
}
