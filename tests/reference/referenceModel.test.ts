import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchingArb, shuffledRowsArb, sourceRowsArb } from './arbitraries.js';
import {
  canonicalDecimal,
  canonicalTimestamp,
  emptySourceRows,
  lagHours,
  referenceWarehouse,
  unionOfBatches,
  type CustomerRow,
  type OrderItemRow,
  type OrderRow,
  type PaymentRow,
  type ProductRow,
  type RefCustomerVersion,
  type RefFactOrderItem,
  type ShipmentRow,
  type SourceRows,
} from './referenceModel.js';

// Expected values below are worked out by hand from the rules; hashes are md5
// of the pre-image written out in the test.
const LOW = '1900-01-01 00:00:00';
const HIGH = '9999-12-31 00:00:00';
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

const rowsOf = (partial: Partial<SourceRows>): SourceRows => ({ ...emptySourceRows(), ...partial });

const customer = (customer_id: string, updated_at: string, attributes: Partial<CustomerRow> = {}): CustomerRow => ({
  customer_id,
  updated_at,
  email: null,
  first_name: null,
  last_name: null,
  city: null,
  state: null,
  country: null,
  segment: null,
  is_deleted: false,
  ...attributes,
});

const product = (product_id: string, updated_at: string, attributes: Partial<ProductRow> = {}): ProductRow => ({
  product_id,
  updated_at,
  sku: null,
  name: null,
  category: null,
  brand: null,
  list_price: null,
  unit_cost: null,
  is_deleted: false,
  ...attributes,
});

const order = (order_id: string, customer_id: string, order_ts: string, updated_at: string, status: string | null = 'placed'): OrderRow => ({
  order_id,
  customer_id,
  order_ts,
  updated_at,
  status,
  currency: 'EUR',
});

const item = (order_id: string, line_number: number, product_id: string, updated_at: string, values: Partial<OrderItemRow> = {}): OrderItemRow => ({
  order_id,
  line_number,
  product_id,
  quantity: 1,
  unit_price: 10,
  updated_at,
  discount_amount: null,
  shipping_amount: null,
  is_deleted: false,
  ...values,
});

const payment = (payment_id: string, order_id: string, payment_method: string, amount: number, paid_at: string, updated_at: string | null = null): PaymentRow => ({
  payment_id,
  order_id,
  payment_method,
  amount,
  paid_at,
  updated_at,
});

const shipment = (shipment_id: string, order_id: string, status: string, updated_at: string): ShipmentRow => ({
  shipment_id,
  order_id,
  status,
  updated_at,
  carrier: null,
  shipped_at: null,
  delivered_at: null,
});

/** A customer version that differs from all-NULL attributes only by `city` (and maybe `email`). */
const cityVersion = (
  customer_id: string,
  valid_from: string,
  valid_to: string,
  city: string | null,
  options: { email?: string; is_deleted?: boolean } = {},
): RefCustomerVersion => {
  const email = options.email ?? null;
  const isDeleted = options.is_deleted ?? false;
  return {
    customer_id,
    email,
    first_name: null,
    last_name: null,
    city,
    state: null,
    country: null,
    segment: null,
    is_inferred: false,
    is_deleted: isDeleted,
    valid_from,
    valid_to,
    is_current: valid_to === HIGH,
    row_hash: md5(`${email ?? '<null>'}|<null>|<null>|${city ?? '<null>'}|<null>|<null>|<null>|${isDeleted}`),
  };
};

describe('Reference model: SCD2 dimensions', () => {
  it('splits the version a late change falls into', () => {
    // Prepare
    const rows = rowsOf({
      customers: [
        customer('c1', '2024-03-01 00:00:00', { city: 'Lyon' }),
        customer('c1', '2024-03-04 00:00:00', { city: 'Porto' }),
        customer('c1', '2024-03-02 00:00:00', { city: 'Nice' }),
      ],
    });

    // Act
    const { dimCustomers } = referenceWarehouse(rows);

    // Assess
    expect(dimCustomers).toEqual([
      cityVersion('c1', LOW, '2024-03-02 00:00:00', 'Lyon'),
      cityVersion('c1', '2024-03-02 00:00:00', '2024-03-04 00:00:00', 'Nice'),
      cityVersion('c1', '2024-03-04 00:00:00', HIGH, 'Porto'),
    ]);
  });

  it('creates no version for a change equal to the version before it', () => {
    // Prepare
    const rows = rowsOf({
      customers: [
        customer('c1', '2024-03-01 00:00:00', { city: 'Lyon' }),
        customer('c1', '2024-03-02 00:00:00', { city: 'Lyon' }),
        customer('c1', '2024-03-01 00:00:00', { city: 'Lyon' }),
      ],
    });

    // Act
    const { dimCustomers } = referenceWarehouse(rows);

    // Assess
    expect(dimCustomers).toEqual([cityVersion('c1', LOW, HIGH, 'Lyon')]);
  });

  it('brings back a collapsed change when an earlier-dated change arrives between', () => {
    // Prepare: Lyon at 03-01 and 03-03 collapse, until Porto at 03-02 separates them.
    const rows = rowsOf({
      customers: [
        customer('c1', '2024-03-01 00:00:00', { city: 'Lyon' }),
        customer('c1', '2024-03-03 00:00:00', { city: 'Lyon' }),
        customer('c1', '2024-03-02 00:00:00', { city: 'Porto' }),
      ],
    });

    // Act
    const { dimCustomers } = referenceWarehouse(rows);

    // Assess
    expect(dimCustomers).toEqual([
      cityVersion('c1', LOW, '2024-03-02 00:00:00', 'Lyon'),
      cityVersion('c1', '2024-03-02 00:00:00', '2024-03-03 00:00:00', 'Porto'),
      cityVersion('c1', '2024-03-03 00:00:00', HIGH, 'Lyon'),
    ]);
  });

  it('closes the version on a delete and carries its attributes into the deleted version', () => {
    // Prepare: a bare delete, a second delete (nothing new), then a resurrection.
    const rows = rowsOf({
      customers: [
        customer('c1', '2024-03-01 00:00:00', { city: 'Lyon', email: 'a@x.com' }),
        customer('c1', '2024-03-02 00:00:00', { is_deleted: true }),
        customer('c1', '2024-03-03 00:00:00', { city: 'Oslo', is_deleted: true }),
        customer('c1', '2024-03-04 00:00:00', { city: 'Porto' }),
        customer('c2', '2024-03-01 00:00:00', { city: 'Oslo', is_deleted: true }),
      ],
    });

    // Act
    const { dimCustomers } = referenceWarehouse(rows);

    // Assess
    expect(dimCustomers).toEqual([
      cityVersion('c1', LOW, '2024-03-02 00:00:00', 'Lyon', { email: 'a@x.com' }),
      cityVersion('c1', '2024-03-02 00:00:00', '2024-03-04 00:00:00', 'Lyon', { email: 'a@x.com', is_deleted: true }),
      cityVersion('c1', '2024-03-04 00:00:00', HIGH, 'Porto'),
      cityVersion('c2', LOW, HIGH, 'Oslo', { is_deleted: true }),
    ]);
    expect(dimCustomers[1]?.row_hash).toBe(md5('a@x.com|<null>|<null>|Lyon|<null>|<null>|<null>|true'));
  });

  it.each([
    ['Lyon first', ['Lyon', 'Nice']],
    ['Nice first', ['Nice', 'Lyon']],
  ])('resolves a same-instant conflict by the greatest row hash whatever the arrival order (%s)', (_name, cities) => {
    // Prepare: md5('<null>|<null>|<null>|Lyon|<null>|<null>|<null>|false') = bf65b2f1...
    //      >   md5('<null>|<null>|<null>|Nice|<null>|<null>|<null>|false') = 2797f975...
    const rows = rowsOf({ customers: cities.map((city) => customer('c1', '2024-03-01 00:00:00', { city })) });

    // Act
    const { dimCustomers } = referenceWarehouse(rows);

    // Assess
    expect(md5('<null>|<null>|<null>|Lyon|<null>|<null>|<null>|false')).toBe('bf65b2f17152e2bd2714254415a58549');
    expect(md5('<null>|<null>|<null>|Nice|<null>|<null>|<null>|false')).toBe('2797f9751cde4d6a8a79170e3394d0bd');
    expect(dimCustomers).toEqual([cityVersion('c1', LOW, HIGH, 'Lyon')]);
  });

  it('renders product decimals with 4 places in attributes and in the row hash', () => {
    // Prepare
    const rows = rowsOf({ products: [product('p1', '2024-03-01 00:00:00', { sku: 'S, 1', list_price: 12.5, unit_cost: 4 })] });

    // Act
    const { dimProducts } = referenceWarehouse(rows);

    // Assess
    expect(dimProducts).toEqual([
      {
        product_id: 'p1',
        sku: 'S, 1',
        name: null,
        category: null,
        brand: null,
        list_price: '12.5000',
        unit_cost: '4.0000',
        is_inferred: false,
        is_deleted: false,
        valid_from: LOW,
        valid_to: HIGH,
        is_current: true,
        row_hash: md5('S, 1|<null>|<null>|<null>|12.5000|4.0000|false'),
      },
    ]);
  });

  it('infers a member for a key referenced by any fact row, latest or not, that the dimension never received', () => {
    // Prepare: line 1 first pointed at p9, then was corrected to p1.
    const rows = rowsOf({
      products: [product('p1', '2024-03-01 00:00:00', { unit_cost: 2 })],
      orders: [order('o1', 'c9', '2024-03-05 10:00:00', '2024-03-05 10:00:00')],
      order_items: [
        item('o1', 1, 'p9', '2024-03-05 10:00:00'),
        item('o1', 1, 'p1', '2024-03-06 10:00:00', { quantity: 2 }),
      ],
    });

    // Act
    const warehouse = referenceWarehouse(rows);

    // Assess
    expect(warehouse.dimCustomers).toEqual([
      {
        customer_id: 'c9',
        email: null,
        first_name: null,
        last_name: null,
        city: null,
        state: null,
        country: null,
        segment: null,
        is_inferred: true,
        is_deleted: false,
        valid_from: LOW,
        valid_to: HIGH,
        is_current: true,
        row_hash: md5('<null>|<null>|<null>|<null>|<null>|<null>|<null>|false'),
      },
    ]);
    expect(warehouse.dimProducts.map((p) => [p.product_id, p.is_inferred, p.valid_from, p.valid_to, p.row_hash])).toEqual([
      ['p1', false, LOW, HIGH, md5('<null>|<null>|<null>|<null>|<null>|2.0000|false')],
      ['p9', true, LOW, HIGH, md5('<null>|<null>|<null>|<null>|<null>|<null>|false')],
    ]);
    expect(warehouse.factOrderItems.map((f) => [f.customer, f.product, f.quantity, f.unit_cost])).toEqual([
      [{ customer_id: 'c9', valid_from: LOW }, { product_id: 'p1', valid_from: LOW }, 2, '2.0000'],
    ]);
  });

  it('tiles every key with no gap or overlap and exactly one current version', () => {
    fc.assert(
      fc.property(sourceRowsArb, (rows) => {
        // Act
        const { dimCustomers, dimProducts } = referenceWarehouse(rows);

        // Assess
        const timelines = new Map<string, { valid_from: string; valid_to: string; is_current: boolean }[]>();
        for (const v of dimCustomers) timelines.set(`c:${v.customer_id}`, [...(timelines.get(`c:${v.customer_id}`) ?? []), v]);
        for (const v of dimProducts) timelines.set(`p:${v.product_id}`, [...(timelines.get(`p:${v.product_id}`) ?? []), v]);
        for (const versions of timelines.values()) {
          expect(versions[0]?.valid_from).toBe(LOW);
          expect(versions.at(-1)?.valid_to).toBe(HIGH);
          versions.forEach((v, i) => {
            expect(v.valid_from < v.valid_to).toBe(true);
            if (i > 0) expect(v.valid_from).toBe(versions[i - 1]?.valid_to);
          });
          expect(versions.filter((v) => v.is_current)).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Reference model: facts', () => {
  it('points facts at the versions valid at order_ts, half-open at a version boundary', () => {
    // Prepare: c1 changes from Lyon to Porto at exactly 2024-03-02 00:00:00.
    const rows = rowsOf({
      customers: [
        customer('c1', '2024-03-01 00:00:00', { city: 'Lyon' }),
        customer('c1', '2024-03-02 00:00:00', { city: 'Porto' }),
      ],
      products: [
        product('p1', '2024-03-01 00:00:00', { unit_cost: 1 }),
        product('p1', '2024-03-02 00:00:00', { unit_cost: 3 }),
      ],
      orders: [
        order('o1', 'c1', '2024-03-02 00:00:00', '2024-03-02 00:00:00'),
        order('o2', 'c1', '2024-03-01 23:59:59', '2024-03-02 00:00:00'),
        order('o3', 'c1', '2024-02-01 12:00:00', '2024-03-02 00:00:00'),
      ],
      order_items: [
        item('o1', 1, 'p1', '2024-03-02 00:00:00'),
        item('o2', 1, 'p1', '2024-03-02 00:00:00'),
        item('o3', 1, 'p1', '2024-03-02 00:00:00'),
      ],
      payments: [payment('pay-1', 'o1', 'paypal', 10, '2024-03-09 00:00:00')],
    });

    // Act
    const { factOrderItems, factPayments } = referenceWarehouse(rows);

    // Assess
    expect(factOrderItems.map((f) => [f.order_id, f.order_date_key, f.customer.valid_from, f.product.valid_from, f.unit_cost])).toEqual([
      ['o1', 20240302, '2024-03-02 00:00:00', '2024-03-02 00:00:00', '3.0000'],
      ['o2', 20240301, LOW, LOW, '1.0000'],
      ['o3', 20240201, LOW, LOW, '1.0000'],
    ]);
    expect(factPayments).toEqual([
      {
        payment_id: 'pay-1',
        order_id: 'o1',
        paid_at: '2024-03-09 00:00:00',
        payment_date_key: 20240309,
        payment_method_code: 'paypal',
        customer: { customer_id: 'c1', valid_from: '2024-03-02 00:00:00' },
        amount: '10.0000',
      },
    ]);
  });

  it('computes revenue, cost and margin exactly, with NULL cost when the product has none', () => {
    // Prepare
    const rows = rowsOf({
      products: [
        product('p1', '2024-03-01 00:00:00', { unit_cost: 4.25 }),
        product('p2', '2024-03-01 00:00:00', { unit_cost: null }),
        product('p3', '2024-03-01 00:00:00', { unit_cost: 6.5 }),
      ],
      customers: [customer('c1', '2024-03-01 00:00:00')],
      orders: [order('o1', 'c1', '2024-03-03 09:00:00', '2024-03-03 09:00:00', null)],
      order_items: [
        item('o1', 1, 'p1', '2024-03-03 09:00:00', { quantity: 3, unit_price: 9.99, discount_amount: 1.25 }),
        item('o1', 2, 'p2', '2024-03-03 09:00:00', { quantity: 2, unit_price: 10, shipping_amount: 4.99 }),
        item('o1', 10, 'p3', '2024-03-03 09:00:00', { quantity: 1, unit_price: 5, discount_amount: 0 }),
      ],
    });

    // Act
    const { factOrderItems } = referenceWarehouse(rows);

    // Assess
    const base = {
      order_id: 'o1',
      order_ts: '2024-03-03 09:00:00',
      order_date_key: 20240303,
      customer: { customer_id: 'c1', valid_from: LOW },
      payment_method_code: 'unknown',
      shipment_status_code: 'unknown',
      order_status: null,
    };
    const expected: RefFactOrderItem[] = [
      {
        ...base,
        line_number: 1,
        product: { product_id: 'p1', valid_from: LOW },
        quantity: 3,
        unit_price: '9.9900',
        discount_amount: '1.2500',
        gross_revenue: '29.9700',
        net_revenue: '28.7200',
        shipping_amount: '0.0000',
        unit_cost: '4.2500',
        cost_amount: '12.7500',
        margin: '15.9700',
      },
      {
        ...base,
        line_number: 2,
        product: { product_id: 'p2', valid_from: LOW },
        quantity: 2,
        unit_price: '10.0000',
        discount_amount: '0.0000',
        gross_revenue: '20.0000',
        net_revenue: '20.0000',
        shipping_amount: '4.9900',
        unit_cost: null,
        cost_amount: null,
        margin: null,
      },
      {
        ...base,
        line_number: 10,
        product: { product_id: 'p3', valid_from: LOW },
        quantity: 1,
        unit_price: '5.0000',
        discount_amount: '0.0000',
        gross_revenue: '5.0000',
        net_revenue: '5.0000',
        shipping_amount: '0.0000',
        unit_cost: '6.5000',
        cost_amount: '6.5000',
        margin: '-1.5000',
      },
    ];
    expect(factOrderItems).toEqual(expected);
  });

  it('picks the primary payment by largest amount, then smallest payment_id, among latest payments', () => {
    // Prepare: pay-c was 99.00 once, but its latest record says 10.00.
    const rows = rowsOf({
      customers: [customer('c1', '2024-03-01 00:00:00')],
      orders: [order('o1', 'c1', '2024-03-03 09:00:00', '2024-03-03 09:00:00')],
      order_items: [item('o1', 1, 'p1', '2024-03-03 09:00:00')],
      payments: [
        payment('pay-b', 'o1', 'paypal', 25.5, '2024-03-03 09:00:00'),
        payment('pay-c', 'o1', 'gift_card', 99, '2024-03-03 09:00:00', '2024-03-03 09:00:00'),
        payment('pay-a', 'o1', 'boleto', 25.5, '2024-03-03 09:00:00'),
        payment('pay-c', 'o1', 'gift_card', 10, '2024-03-03 09:00:00', '2024-03-04 09:00:00'),
      ],
    });

    // Act
    const { factOrderItems, factPayments } = referenceWarehouse(rows);

    // Assess
    expect(factOrderItems.map((f) => f.payment_method_code)).toEqual(['boleto']);
    expect(factPayments.map((p) => [p.payment_id, p.payment_method_code, p.amount])).toEqual([
      ['pay-a', 'boleto', '25.5000'],
      ['pay-b', 'paypal', '25.5000'],
      ['pay-c', 'gift_card', '10.0000'],
    ]);
  });

  it('orders a payment by paid_at when it has no updated_at, and breaks ties by greatest row hash', () => {
    // Prepare: pay-1's row without updated_at counts at paid_at 03-05, after the 03-04 correction.
    // pay-2's two rows share an instant: md5('o1|credit_card|25.5000|2024-03-01 10:00:00') = 4f986495...
    //   > md5('o1|paypal|25.5000|2024-03-01 10:00:00') = 2c0bc733...
    const rows = rowsOf({
      orders: [order('o1', 'c1', '2024-03-01 09:00:00', '2024-03-01 09:00:00')],
      payments: [
        payment('pay-1', 'o1', 'paypal', 10, '2024-03-05 00:00:00'),
        payment('pay-1', 'o1', 'paypal', 20, '2024-03-05 00:00:00', '2024-03-04 00:00:00'),
        payment('pay-2', 'o1', 'paypal', 25.5, '2024-03-01 10:00:00'),
        payment('pay-2', 'o1', 'credit_card', 25.5, '2024-03-01 10:00:00'),
      ],
    });

    // Act
    const { factPayments } = referenceWarehouse(rows);

    // Assess
    expect(md5('o1|credit_card|25.5000|2024-03-01 10:00:00')).toBe('4f986495ee939f7f18be44314103ca23');
    expect(md5('o1|paypal|25.5000|2024-03-01 10:00:00')).toBe('2c0bc733f6ec531293dde27b604df502');
    expect(factPayments.map((p) => [p.payment_id, p.payment_method_code, p.amount])).toEqual([
      ['pay-1', 'paypal', '10.0000'],
      ['pay-2', 'credit_card', '25.5000'],
    ]);
  });

  it('takes the latest shipment by updated_at, then greatest shipment_id, and the latest order record', () => {
    // Prepare: shp-1 ends delivered at 03-03; shp-2 is pending at 03-03 too and wins the tie.
    const rows = rowsOf({
      orders: [
        order('o1', 'c1', '2024-03-01 09:00:00', '2024-03-03 00:00:00', 'shipped'),
        order('o1', 'c1', '2024-03-01 09:00:00', '2024-03-01 09:00:00', 'placed'),
      ],
      order_items: [item('o1', 1, 'p1', '2024-03-01 09:00:00')],
      shipments: [
        shipment('shp-1', 'o1', 'delivered', '2024-03-03 00:00:00'),
        shipment('shp-2', 'o1', 'pending', '2024-03-03 00:00:00'),
        shipment('shp-1', 'o1', 'shipped', '2024-03-02 00:00:00'),
      ],
    });

    // Act
    const { factOrderItems } = referenceWarehouse(rows);

    // Assess
    expect(factOrderItems.map((f) => [f.order_status, f.shipment_status_code, f.payment_method_code])).toEqual([
      ['shipped', 'pending', 'unknown'],
    ]);
  });

  it('removes a deleted item from the fact and never lets an older record resurrect it', () => {
    // Prepare: the tombstone arrives before the older live record of line 1.
    const rows = rowsOf({
      orders: [order('o1', 'c1', '2024-03-01 09:00:00', '2024-03-01 09:00:00')],
      order_items: [
        item('o1', 1, 'p1', '2024-03-03 00:00:00', { is_deleted: true }),
        item('o1', 1, 'p1', '2024-03-02 00:00:00', { quantity: 5 }),
        item('o1', 2, 'p2', '2024-03-02 00:00:00'),
      ],
    });

    // Act
    const { factOrderItems } = referenceWarehouse(rows);

    // Assess
    expect(factOrderItems.map((f) => [f.order_id, f.line_number])).toEqual([['o1', 2]]);
  });

  it('keeps items, payments and shipments of an order never received waiting, tombstones included', () => {
    // Prepare
    const rows = rowsOf({
      orders: [order('o1', 'c1', '2024-03-01 09:00:00', '2024-03-01 09:00:00')],
      order_items: [
        item('o9', 1, 'p1', '2024-03-01 09:00:00'),
        item('o9', 1, 'p1', '2024-03-02 09:00:00', { quantity: 2 }),
        item('o9', 2, 'p1', '2024-03-01 09:00:00', { is_deleted: true }),
      ],
      payments: [payment('pay-9', 'o9', 'paypal', 10, '2024-03-01 09:00:00')],
      shipments: [shipment('shp-9', 'o9', 'pending', '2024-03-01 09:00:00')],
    });

    // Act
    const warehouse = referenceWarehouse(rows);

    // Assess
    expect(warehouse.factOrderItems).toEqual([]);
    expect(warehouse.factPayments).toEqual([]);
    expect(warehouse.waiting).toEqual({ order_items: 2, payments: 1, shipments: 1 });
    expect(warehouse.dimProducts.map((p) => [p.product_id, p.is_inferred])).toEqual([['p1', true]]);
  });

  it('builds one fulfillment row per order: milestones from the latest records, lags in hours rounded half away from zero', () => {
    // Prepare: o1 has two live lines (one deleted), two payments and two shipments; o2 has nothing but the order.
    const rows = rowsOf({
      customers: [customer('c1', '2024-03-01 00:00:00')],
      orders: [
        order('o1', 'c1', '2024-03-02 10:00:00', '2024-03-02 10:00:00', 'placed'),
        order('o1', 'c1', '2024-03-02 10:00:00', '2024-03-06 00:00:00', 'cancelled'),
        order('o2', 'c1', '2024-03-03 00:00:00', '2024-03-03 00:00:00', 'returned'),
      ],
      order_items: [
        item('o1', 1, 'p1', '2024-03-02 10:00:00', { quantity: 2, unit_price: 10, discount_amount: 1.5 }),
        item('o1', 2, 'p1', '2024-03-02 10:00:00', { quantity: 1, unit_price: 4 }),
        item('o1', 3, 'p1', '2024-03-02 10:00:00'),
        item('o1', 3, 'p1', '2024-03-03 10:00:00', { is_deleted: true }),
      ],
      payments: [
        payment('pay-2', 'o1', 'paypal', 5, '2024-03-02 10:00:54'),
        payment('pay-1', 'o1', 'credit_card', 5, '2024-03-02 11:00:00'),
      ],
      shipments: [
        { ...shipment('shp-1', 'o1', 'delivered', '2024-03-05 00:00:00'), shipped_at: '2024-03-03 10:00:18', delivered_at: '2024-03-05 09:00:00' },
        { ...shipment('shp-2', 'o1', 'shipped', '2024-03-04 00:00:00'), shipped_at: '2024-03-04 00:00:00' },
        { ...shipment('shp-2', 'o1', 'in_transit', '2024-03-04 12:00:00'), shipped_at: '2024-03-04 00:00:00' },
      ],
    });

    // Act
    const { factOrderFulfillment } = referenceWarehouse(rows);

    // Assess: 54 s = 0.015 h -> 0.02; 24 h 18 s = 24.005 h -> 24.01; 46 h 59 min 42 s = 46.995 h -> 47.00
    expect(factOrderFulfillment).toEqual([
      {
        order_id: 'o1',
        order_ts: '2024-03-02 10:00:00',
        order_date_key: 20240302,
        customer: { customer_id: 'c1', valid_from: LOW },
        payment_method_code: 'credit_card',
        shipment_status_code: 'delivered',
        order_status: 'cancelled',
        item_count: 2,
        unit_count: 3,
        net_revenue: '22.5000',
        payment_count: 2,
        paid_amount: '10.0000',
        first_paid_at: '2024-03-02 10:00:54',
        first_shipped_at: '2024-03-03 10:00:18',
        delivered_at: '2024-03-05 09:00:00',
        placed_to_paid_hours: '0.02',
        placed_to_shipped_hours: '24.01',
        shipped_to_delivered_hours: '47.00',
        placed_to_delivered_hours: '71.00',
        is_paid: true,
        is_shipped: true,
        is_delivered: true,
        is_cancelled: true,
        is_returned: false,
      },
      {
        order_id: 'o2',
        order_ts: '2024-03-03 00:00:00',
        order_date_key: 20240303,
        customer: { customer_id: 'c1', valid_from: LOW },
        payment_method_code: 'unknown',
        shipment_status_code: 'unknown',
        order_status: 'returned',
        item_count: 0,
        unit_count: 0,
        net_revenue: '0.0000',
        payment_count: 0,
        paid_amount: '0.0000',
        first_paid_at: null,
        first_shipped_at: null,
        delivered_at: null,
        placed_to_paid_hours: null,
        placed_to_shipped_hours: null,
        shipped_to_delivered_hours: null,
        placed_to_delivered_hours: null,
        is_paid: false,
        is_shipped: false,
        is_delivered: false,
        is_cancelled: false,
        is_returned: true,
      },
    ]);
  });

  it.each([
    ['2024-03-02 10:00:00', '2024-03-02 09:59:06', '-0.02'],
    ['2024-03-02 10:00:00', '2024-03-02 10:00:17', '0.00'],
    ['2024-03-02 10:00:00', '2024-03-02 10:00:18', '0.01'],
    ['2024-03-02 10:00:00', '2024-03-02 09:59:42', '-0.01'],
    ['2024-03-02 10:00:00', '2024-03-12 10:00:00', '240.00'],
  ] as const)('measures the lag from %s to %s as %s hours', (from, to, hours) => {
    // Act / Assess
    expect(lagHours(from, to)).toBe(hours);
  });

  it('rejects rows that are not typed as normalization leaves them', () => {
    // Prepare
    const rows = rowsOf({ customers: [customer('c1', '2024-03-01T00:00:00Z')] });

    // Act / Assess
    expect(() => referenceWarehouse(rows)).toThrow(TypeError);
  });
});

describe('Reference model: canonical form of warehouse values', () => {
  it.each([
    [12.5, '12.5000'],
    ['12.5', '12.5000'],
    ['12.5000', '12.5000'],
    [0, '0.0000'],
    ['-1.5', '-1.5000'],
    [-0.25, '-0.2500'],
    [1234567.89, '1234567.8900'],
    [null, null],
  ] as const)('renders the decimal %j as %j', (value, expected) => {
    // Act / Assess
    expect(canonicalDecimal(value)).toBe(expected);
  });

  it.each([
    ['2024-03-01 10:00:00', '2024-03-01 10:00:00'],
    ['2024-03-01T10:00:00Z', '2024-03-01 10:00:00'],
    ['2024-03-01 10:00:00.000', '2024-03-01 10:00:00'],
    ['2024-03-01 10:00:00+00', '2024-03-01 10:00:00'],
    [new Date(Date.UTC(2024, 2, 1, 10)), '2024-03-01 10:00:00'],
    [null, null],
  ] as const)('renders the timestamp %j as %j', (value, expected) => {
    // Act / Assess
    expect(canonicalTimestamp(value)).toBe(expected);
  });

  it('refuses a timestamp with a non-UTC offset or a fraction of a second', () => {
    // Act / Assess
    expect(() => canonicalTimestamp('2024-03-01 10:00:00+02')).toThrow(TypeError);
    expect(() => canonicalTimestamp('2024-03-01 10:00:00.5')).toThrow(TypeError);
  });
});

describe('Reference model: order independence', () => {
  it('gives the same warehouse for any permutation of the input rows', () => {
    fc.assert(
      fc.property(
        sourceRowsArb.chain((rows) => fc.tuple(fc.constant(rows), shuffledRowsArb(rows))),
        ([rows, shuffled]) => {
          // Act / Assess
          expect(referenceWarehouse(shuffled)).toEqual(referenceWarehouse(rows));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same warehouse for the union of any batching of the rows', () => {
    fc.assert(
      fc.property(
        sourceRowsArb.chain((rows) => fc.tuple(fc.constant(rows), batchingArb(rows))),
        ([rows, batches]) => {
          // Act / Assess
          expect(referenceWarehouse(unionOfBatches(batches))).toEqual(referenceWarehouse(rows));
        },
      ),
      { numRuns: 200 },
    );
  });
});
