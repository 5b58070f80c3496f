import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCE_TABLES } from '../../functions/core/contract.js';
import { batchingArb, sourceRowsArb } from './arbitraries.js';
import { assertTypedRows, referenceWarehouse, sourceRowHash, unionOfBatches, type SourceRows } from './referenceModel.js';

const SAMPLES = fc.sample(sourceRowsArb, { numRuns: 400, seed: 20240301 });

let situationsCache: Set<string>[] | null = null;
const situationsOfSamples = (): Set<string>[] => (situationsCache ??= SAMPLES.map(situations));

const count = (values: Iterable<string>): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
};

/** The interesting situations a change set contains. */
function situations(rows: SourceRows): Set<string> {
  const found = new Set<string>();
  const warehouse = referenceWarehouse(rows);
  const dims = [
    ['customers', rows.customers.map((r) => ({ key: r.customer_id, at: r.updated_at, hash: sourceRowHash('customers', r), deleted: r.is_deleted }))],
    ['products', rows.products.map((r) => ({ key: r.product_id, at: r.updated_at, hash: sourceRowHash('products', r), deleted: r.is_deleted }))],
  ] as const;
  for (const [, changes] of dims) {
    const instants = count(changes.map((c) => JSON.stringify([c.key, c.at])));
    const distinct = count(new Set(changes.map((c) => JSON.stringify([c.key, c.at, c.hash]))));
    const perInstant = count([...distinct.keys()].map((k) => JSON.stringify((JSON.parse(k) as string[]).slice(0, 2))));
    if ([...perInstant.values()].some((n) => n > 1)) found.add('same-instant conflict');
    if (changes.length > distinct.size) found.add('exact duplicate');
    if (changes.some((c) => c.deleted)) found.add('delete');
    if (changes.some((d) => d.deleted && changes.some((c) => c.key === d.key && !c.deleted && c.at > d.at))) found.add('resurrection');
    const versions = count(
      [...warehouse.dimCustomers.map((v) => v.customer_id), ...warehouse.dimProducts.map((v) => v.product_id)],
    );
    if ([...instants.keys()].length > 0) {
      const instantsPerKey = count([...instants.keys()].map((k) => (JSON.parse(k) as string[])[0] as string));
      if ([...instantsPerKey].some(([key, n]) => (versions.get(key) ?? 0) < n)) found.add('collapsed change');
    }
  }
  if (warehouse.dimCustomers.some((v) => v.is_inferred)) found.add('inferred customer');
  if (warehouse.dimProducts.some((v) => v.is_inferred)) found.add('inferred product');
  if ([...count(warehouse.dimCustomers.map((v) => v.customer_id)).values()].some((n) => n > 1)) found.add('customer history');
  if (warehouse.waiting.order_items > 0) found.add('waiting item');
  if (warehouse.waiting.payments > 0) found.add('waiting payment');
  if (rows.order_items.some((i) => i.is_deleted)) found.add('item tombstone');
  if (warehouse.factOrderItems.some((f) => f.customer.valid_from === f.order_ts || f.product.valid_from === f.order_ts)) {
    found.add('order_ts on a version boundary');
  }
  if (warehouse.factOrderItems.some((f) => f.customer.valid_from !== '1900-01-01 00:00:00')) found.add('fact on a later version');
  const paymentsPerOrderAmount = count(warehouse.factPayments.map((p) => JSON.stringify([p.order_id, p.amount])));
  if ([...paymentsPerOrderAmount.values()].some((n) => n > 1)) found.add('payment amount tie');
  if (warehouse.factOrderItems.some((f) => f.payment_method_code === 'boleto')) found.add('unseen payment method');
  if (warehouse.factOrderItems.some((f) => f.payment_method_code === 'unknown')) found.add('no payment');
  if (warehouse.factOrderItems.some((f) => f.shipment_status_code !== 'unknown')) found.add('shipment status');
  if (warehouse.factOrderItems.some((f) => f.margin !== null && f.margin.startsWith('-'))) found.add('negative margin');
  return found;
}

describe('Generating source change sets', () => {
  it('generates only rows that normalization keeps as they are', () => {
    for (const rows of SAMPLES) {
      // Act / Assess
      expect(() => assertTypedRows(rows)).not.toThrow();
      for (const item of rows.order_items) {
        expect(item.quantity).toBeGreaterThan(0);
        expect(Math.round((item.discount_amount ?? 0) * 100)).toBeLessThanOrEqual(item.quantity * Math.round(item.unit_price * 100));
      }
      for (const table of SOURCE_TABLES) {
        for (const row of rows[table]) {
          for (const value of Object.values(row)) if (typeof value === 'number') expect(value).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });

  it('keeps change sets small', () => {
    // Act
    const sizes = SAMPLES.map((rows) => SOURCE_TABLES.reduce((n, table) => n + rows[table].length, 0));

    // Assess
    expect(Math.max(...sizes)).toBeLessThan(200);
  });

  it.each([
    'same-instant conflict',
    'exact duplicate',
    'delete',
    'resurrection',
    'collapsed change',
    'inferred customer',
    'inferred product',
    'customer history',
    'waiting item',
    'waiting payment',
    'item tombstone',
    'order_ts on a version boundary',
    'fact on a later version',
    'payment amount tie',
    'unseen payment method',
    'no payment',
    'shipment status',
    'negative margin',
  ])('hits the case "%s" in at least one change set out of ten', (situation) => {
    // Act
    const hits = situationsOfSamples().filter((found) => found.has(situation)).length;

    // Assess
    expect(hits / SAMPLES.length).toBeGreaterThanOrEqual(0.1);
  });
});

describe('Generating batchings', () => {
  it('places every row, duplicates included, in exactly one batch sorted by id', () => {
    fc.assert(
      fc.property(
        sourceRowsArb.chain((rows) => fc.tuple(fc.constant(rows), batchingArb(rows))),
        ([rows, batches]) => {
          // Act
          const union = unionOfBatches(batches);

          // Assess
          expect(batches.map((b) => b.batchId)).toEqual([...batches.map((b) => b.batchId)].sort());
          for (const batch of batches) expect(batch.batchId).toMatch(/^b[0-3]$/);
          for (const table of SOURCE_TABLES) {
            const key = (r: object): string => JSON.stringify(Object.entries(r).sort());
            expect(union[table].map(key).sort()).toEqual(rows[table].map(key).sort());
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('often delivers a newer change in an earlier batch than an older one', () => {
    // Prepare
    const batchings = fc.sample(
      sourceRowsArb.chain((rows) => batchingArb(rows)),
      { numRuns: 300, seed: 7 },
    );

    // Act
    const outOfOrder = batchings.filter((batches) => {
      const arrivals = batches.flatMap((b, position) => b.rows.customers.map((r) => ({ position, key: r.customer_id, at: r.updated_at })));
      return arrivals.some((a) => arrivals.some((b) => a.key === b.key && a.position < b.position && a.at > b.at));
    });

    // Assess
    expect(outOfOrder.length / batchings.length).toBeGreaterThanOrEqual(0.1);
    expect(batchings.some((b) => b.length === 4)).toBe(true);
  });
});
