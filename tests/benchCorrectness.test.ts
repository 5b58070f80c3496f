import { describe, expect, it } from 'vitest';
import { compareDimension, compareFacts, compareWarehouse, wrongRows, type RenderedWarehouse } from '../bench/correctness.js';
import { emptySourceRows, referenceWarehouse, type SourceRows } from './reference/referenceModel.js';

// Two versions of c1 (segment changes at noon on March 2), one of c2; an order of each.
function sourceRows(): SourceRows {
  const rows = emptySourceRows();
  const customer = { email: null, first_name: 'Ann', last_name: 'Smith', city: 'Lyon', state: null, country: 'FR', is_deleted: false };
  rows.customers.push(
    { ...customer, customer_id: 'c1', updated_at: '2024-03-01 00:00:00', segment: 'consumer' },
    { ...customer, customer_id: 'c1', updated_at: '2024-03-02 12:00:00', segment: 'vip' },
    { ...customer, customer_id: 'c2', updated_at: '2024-03-01 00:00:00', segment: 'corporate' },
  );
  rows.products.push({
    product_id: 'p1', updated_at: '2024-03-01 00:00:00', sku: 'SKU-1', name: 'Mug', category: 'kitchen', brand: null,
    list_price: 9.99, unit_cost: 4.25, is_deleted: false,
  });
  rows.orders.push(
    { order_id: 'o1', customer_id: 'c1', order_ts: '2024-03-03 10:00:00', updated_at: '2024-03-03 10:00:00', status: 'paid', currency: 'EUR' },
    { order_id: 'o2', customer_id: 'c2', order_ts: '2024-03-03 11:00:00', updated_at: '2024-03-03 11:00:00', status: 'paid', currency: 'EUR' },
  );
  for (const [orderId, line] of [['o1', 1], ['o1', 2], ['o2', 1]] as const) {
    rows.order_items.push({
      order_id: orderId, line_number: line, product_id: 'p1', quantity: 1, unit_price: 9.99, updated_at: '2024-03-03 10:00:00',
      discount_amount: null, shipping_amount: null, is_deleted: false,
    });
  }
  rows.payments.push({ payment_id: 'pay1', order_id: 'o1', payment_method: 'paypal', amount: 19.98, paid_at: '2024-03-03 10:05:00', updated_at: null });
  return rows;
}

type Row = Record<string, unknown>;
/** A rendered warehouse whose rows a test may change. */
interface Rendered {
  dimCustomers: Row[];
  dimProducts: Row[];
  factOrderItems: Row[];
  factPayments: Row[];
}

// The reference's own tables as a tool would render them (no row hashes), deep-copied for mutation.
function renderedLikeReference(): Rendered {
  const { waiting: _waiting, ...reference } = referenceWarehouse(sourceRows());
  const strip = (rows: readonly object[]): Row[] =>
    rows.map((row) => structuredClone(Object.fromEntries(Object.entries(row).filter(([c]) => c !== 'row_hash'))));
  return {
    dimCustomers: strip(reference.dimCustomers),
    dimProducts: strip(reference.dimProducts),
    factOrderItems: strip(reference.factOrderItems),
    factPayments: strip(reference.factPayments),
  };
}

const asRendered = (rendered: Rendered): RenderedWarehouse => rendered as unknown as RenderedWarehouse;

describe('Comparing a warehouse with the reference model', () => {
  it('finds no error in a warehouse that equals the reference', () => {
    // Prepare
    const { waiting: _waiting, ...reference } = referenceWarehouse(sourceRows());
    // Act
    const result = compareWarehouse(reference, asRendered(renderedLikeReference()));
    // Assess
    expect(wrongRows(result)).toBe(0);
    expect(result.dimCustomers.expected).toBe(3);
    expect(result.factOrderItems.expected).toBe(3);
  });

  it('counts a version missing, one extra and one wrong', () => {
    // Prepare: c1's later version dropped (so its first one runs to the high sentinel), c2 given a second version.
    const expected = renderedLikeReference().dimCustomers;
    const actual = renderedLikeReference().dimCustomers.filter((v) => !(v.customer_id === 'c1' && v.valid_from === '2024-03-02 12:00:00'));
    const first = actual.find((v) => v.customer_id === 'c1');
    if (first) Object.assign(first, { valid_to: '9999-12-31 00:00:00', is_current: true });
    actual.push({ ...structuredClone(actual.find((v) => v.customer_id === 'c2') as Row), valid_from: '2024-03-05 00:00:00' });
    // Act
    const errors = compareDimension(expected, actual, 'customer_id');
    // Assess
    expect({ missing: errors.missing, extra: errors.extra, wrong: errors.wrong }).toEqual({ missing: 1, extra: 1, wrong: 1 });
  });

  it('counts facts lost, duplicated, extra and with other wrong columns', () => {
    // Prepare
    const expected = renderedLikeReference().factOrderItems;
    const actual = renderedLikeReference().factOrderItems.filter((f) => !(f.order_id === 'o2'));
    actual.push(structuredClone(actual[0] as Row));
    actual.push({ ...structuredClone(actual[0] as Row), line_number: 9 });
    (actual[1] as Row).order_status = 'cancelled';
    // Act
    const errors = compareFacts(expected, actual, ['order_id', 'line_number']);
    // Assess
    expect({ lost: errors.lost, duplicated: errors.duplicated, extra: errors.extra, wrongOther: errors.wrongOther, pit: errors.wrongPointInTime }).toEqual({
      lost: 1,
      duplicated: 1,
      extra: 1,
      wrongOther: 1,
      pit: 0,
    });
  });

  it('tells a wrong point-in-time key with the right attributes from one with other attributes', () => {
    // Prepare: o1's two lines point at c1's first version (segment consumer instead of vip); a warehouse
    // that never saw c1's first record has one c1 version from the low sentinel carrying the vip attributes.
    const { waiting: _waiting, ...reference } = referenceWarehouse(sourceRows());
    const olderVersion = renderedLikeReference();
    for (const fact of olderVersion.factOrderItems.filter((f) => f.order_id === 'o1')) {
      fact.customer = { customer_id: 'c1', valid_from: '1900-01-01 00:00:00' };
    }
    const collapsed = renderedLikeReference();
    const c1 = collapsed.dimCustomers.filter((v) => v.customer_id === 'c1');
    const vip = c1.find((v) => v.segment === 'vip') as Row;
    Object.assign(c1.find((v) => v.segment === 'consumer') as object, { ...vip, valid_from: '1900-01-01 00:00:00' });
    collapsed.dimCustomers.splice(collapsed.dimCustomers.indexOf(vip), 1);
    for (const fact of [...collapsed.factOrderItems, ...collapsed.factPayments].filter((f) => f.order_id === 'o1')) {
      fact.customer = { customer_id: 'c1', valid_from: '1900-01-01 00:00:00' };
    }
    // Act
    const older = compareWarehouse(reference, asRendered(olderVersion)).factOrderItems;
    const same = compareWarehouse(reference, asRendered(collapsed));
    // Assess
    expect([older.wrongPointInTime, older.wrongAttributesAtPointInTime]).toEqual([2, 2]);
    expect([same.factOrderItems.wrongPointInTime, same.factOrderItems.wrongAttributesAtPointInTime]).toEqual([2, 0]);
    expect([same.factPayments.wrongPointInTime, same.factPayments.wrongAttributesAtPointInTime]).toEqual([1, 0]);
    expect([same.dimCustomers.missing, same.dimCustomers.wrong]).toEqual([1, 1]);
  });
});
