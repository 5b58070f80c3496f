import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { runPipeline } from '../functions/local/localRunner.js';
import { parseFreshness } from '../functions/core/config.js';
import { writeLake, type LakeFormat } from './reference/lakeWriter.js';
import type { SourceBatch } from './reference/referenceModel.js';
import { batch, customer, order } from './helpers/sourceRows.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';

// One example per SCD2 rule of SPEC section 3, on small hand-written lakes; the
// expected versions are written from the rule, not read from a run.

const config = { environment: 'test', freshness: parseFreshness(undefined) };
const LOW = '1900-01-01 00:00:00';
const HIGH = '9999-12-31 00:00:00';

const { dir, cleanup } = tempDir('ecomdw-scd2-');
afterAll(() => cleanup());
let lakes = 0;

/** Runs the batches in id order into a fresh warehouse, calling `after` after each; returns its file. */
async function run(batches: SourceBatch[], format: LakeFormat = 'csv', after?: (db: string, batchId: string) => Promise<void>): Promise<string> {
  const root = path.join(dir, String(++lakes));
  const lake = path.join(root, 'lake');
  const db = path.join(root, 'w.duckdb');
  writeLake(lake, batches, format);
  for (const { batchId } of batches) {
    const summary = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId });
    expect(summary.failure?.message ?? null).toBeNull();
    expect(summary.batches.map((b) => b.batchId)).toEqual([batchId]);
    await after?.(db, batchId);
  }
  return db;
}

const versionsOf = (db: string, customerId: string) =>
  queryDuckDb(
    db,
    `select customer_sk::varchar as customer_sk, segment, city, is_inferred, is_deleted, is_current,
        strftime(valid_from, '%Y-%m-%d %H:%M:%S') as valid_from, strftime(valid_to, '%Y-%m-%d %H:%M:%S') as valid_to
     from dw.dim_customers where customer_id = '${customerId}' order by valid_from`,
  );

const factCustomer = (db: string, orderId: string) =>
  queryDuckDb(
    db,
    `select f.customer_sk::varchar as customer_sk, strftime(c.valid_from, '%Y-%m-%d %H:%M:%S') as valid_from, c.segment
     from dw.fact_order_fulfillment as f join dw.dim_customers as c on c.customer_sk = f.customer_sk
     where f.order_id = '${orderId}'`,
  );

describe('SCD2 rules, one example each', () => {
  it('two different rows for one key and one updated_at: one version, the greatest row_hash wins whatever the arrival order, and a warning', async () => {
    const retail = customer('C1', '2024-01-02 10:00:00', { segment: 'consumer' });
    const corporate = customer('C1', '2024-01-02 10:00:00', { segment: 'corporate' });
    // the two rows in one file, in both orders, and across two batches, in both orders
    const lakesToRun: SourceBatch[][] = [
      [batch('2024-01-02', { customers: [retail, corporate] })],
      [batch('2024-01-02', { customers: [corporate, retail] })],
      [batch('2024-01-02', { customers: [retail] }), batch('2024-01-03', { customers: [corporate] })],
      [batch('2024-01-02', { customers: [corporate] }), batch('2024-01-03', { customers: [retail] })],
    ];
    const winners: unknown[] = [];
    for (const [i, batches] of lakesToRun.entries()) {
      const db = await run(batches, i % 2 === 0 ? 'csv' : 'jsonl');
      const versions = await versionsOf(db, 'C1');
      // one version covering all time, not one per row
      expect(versions).toHaveLength(1);
      expect(versions[0]).toMatchObject({ is_inferred: false, is_deleted: false, is_current: true, valid_from: LOW, valid_to: HIGH });
      // the kept row is the one of greatest row_hash among the two recorded change rows
      const [greatest] = await queryDuckDb(db, `select segment from history.customer_changes where customer_id = 'C1' order by row_hash desc limit 1`);
      expect(versions[0]?.segment).toBe(greatest?.segment);
      winners.push(versions[0]?.segment);
      // the batch that brought the second row records the conflict
      const lastBatch = batches.at(-1)?.batchId;
      const warnings = await queryDuckDb(db, `select batch_id, kind, model, natural_key, detail from audit.warnings where kind = 'conflicting_rows'`);
      expect(warnings).toEqual([
        {
          batch_id: lastBatch,
          kind: 'conflicting_rows',
          model: 'dim_customers',
          natural_key: 'C1',
          detail: 'updated_at 2024-01-02 10:00:00: 2 different rows; kept the greatest row_hash',
        },
      ]);
    }
    // deterministic: every arrival order keeps the same row
    expect(new Set(winners).size).toBe(1);
  }, 120_000);

  it('a delete closes the version before it and opens a deleted version carrying its attributes', async () => {
    const db = await run([
      batch('2024-01-01', { customers: [customer('C1', '2024-01-01 08:00:00', { city: 'Porto', segment: 'vip' })] }),
      // the tombstone sends no attributes: they are carried over from the version it closes
      batch('2024-01-02', {
        customers: [customer('C1', '2024-01-03 12:30:00', { email: null, first_name: null, last_name: null, city: null, country: null, segment: null, is_deleted: true })],
      }),
    ]);
    const versions = await versionsOf(db, 'C1');
    expect(versions.map(({ customer_sk: _, ...v }) => v)).toEqual([
      { segment: 'vip', city: 'Porto', is_inferred: false, is_deleted: false, is_current: false, valid_from: LOW, valid_to: '2024-01-03 12:30:00' },
      { segment: 'vip', city: 'Porto', is_inferred: false, is_deleted: true, is_current: true, valid_from: '2024-01-03 12:30:00', valid_to: HIGH },
    ]);
    const [carried] = await queryDuckDb(db, `select email, first_name, last_name, country from dw.dim_customers where customer_id = 'C1' and is_deleted`);
    expect(carried).toEqual({ email: 'c1@example.com', first_name: 'Ana', last_name: 'Lima', country: 'FR' });
  }, 60_000);

  it('an order before its customer gets an inferred member, whose surrogate key the real row keeps', async () => {
    let inferred: Record<string, unknown>[] = [];
    const db = await run(
      [
        batch('2024-01-01', { orders: [order('O1', 'C9', '2024-01-01 09:00:00')] }),
        batch('2024-01-02', { customers: [customer('C9', '2024-01-02 15:00:00', { segment: 'corporate' })] }),
      ],
      'csv',
      async (file, batchId) => {
        if (batchId !== '2024-01-01') return;
        // after the order alone: an inferred version covering all time, attributes NULL, and the fact points to it
        inferred = await versionsOf(file, 'C9');
        expect(inferred.map(({ customer_sk: _, ...v }) => v)).toEqual([
          { segment: null, city: null, is_inferred: true, is_deleted: false, is_current: true, valid_from: LOW, valid_to: HIGH },
        ]);
        expect(await factCustomer(file, 'O1')).toEqual([{ customer_sk: inferred[0]?.customer_sk, valid_from: LOW, segment: null }]);
      },
    );
    expect(inferred).toHaveLength(1);

    // the real row replaces the inferred version: one version, same key, covering all time
    const resolved = await versionsOf(db, 'C9');
    expect(resolved).toEqual([
      {
        customer_sk: inferred[0]?.customer_sk,
        segment: 'corporate',
        city: 'Lyon',
        is_inferred: false,
        is_deleted: false,
        is_current: true,
        valid_from: LOW,
        valid_to: HIGH,
      },
    ]);
    // the fact kept its key and now sees the real attributes
    expect(await factCustomer(db, 'O1')).toEqual([{ customer_sk: inferred[0]?.customer_sk, valid_from: LOW, segment: 'corporate' }]);
  }, 60_000);

  it('a late change splits the version it falls into, and re-points the facts placed after it', async () => {
    const db = await run([
      batch('2024-01-01', {
        customers: [customer('C1', '2024-01-01 00:00:00', { segment: 'consumer' }), customer('C1', '2024-01-10 00:00:00', { segment: 'vip' })],
        orders: [order('O1', 'C1', '2024-01-03 12:00:00'), order('O2', 'C1', '2024-01-07 12:00:00')],
      }),
      // arrives later, dated between the two versions
      batch('2024-01-02', { customers: [customer('C1', '2024-01-05 00:00:00', { segment: 'corporate' })] }),
    ]);
    const versions = await versionsOf(db, 'C1');
    expect(versions.map(({ customer_sk: _, city: __, ...v }) => v)).toEqual([
      { segment: 'consumer', is_inferred: false, is_deleted: false, is_current: false, valid_from: LOW, valid_to: '2024-01-05 00:00:00' },
      { segment: 'corporate', is_inferred: false, is_deleted: false, is_current: false, valid_from: '2024-01-05 00:00:00', valid_to: '2024-01-10 00:00:00' },
      { segment: 'vip', is_inferred: false, is_deleted: false, is_current: true, valid_from: '2024-01-10 00:00:00', valid_to: HIGH },
    ]);
    // O1 (before the late change) keeps the first version; O2 (after it) moves to the new one
    expect((await factCustomer(db, 'O1'))[0]).toMatchObject({ valid_from: LOW, segment: 'consumer' });
    expect((await factCustomer(db, 'O2'))[0]).toMatchObject({ valid_from: '2024-01-05 00:00:00', segment: 'corporate' });
  }, 60_000);
});
