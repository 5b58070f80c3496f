/**
 * fast-check arbitraries for the order-independence property tests: small
 * change sets that hit the interesting cases often (same-instant conflicts,
 * exact duplicates, deletes and resurrections, late changes, inferred members,
 * waiting facts, payment ties, version boundaries), and random batchings of
 * them. Every generated row is valid: it survives normalization unchanged.
 */
import fc from 'fast-check';
import { SOURCE_TABLES, type SourceTable } from '../../functions/core/contract.js';
import {
  emptySourceRows,
  type CustomerRow,
  type OrderItemRow,
  type OrderRow,
  type PaymentRow,
  type ProductRow,
  type ShipmentRow,
  type SourceBatch,
  type SourceRows,
} from './referenceModel.js';

/** Few distinct change instants, so that same-instant conflicts and duplicates are common. */
export const UPDATED_AT_POOL = [
  '2024-03-01 00:00:00',
  '2024-03-02 00:00:00',
  '2024-03-02 12:30:00',
  '2024-03-04 00:00:00',
] as const;

/** Order times: before every change, exactly on change instants (boundaries), between and after them. */
export const ORDER_TS_POOL = [
  '2024-02-15 08:00:00',
  '2024-03-02 00:00:00',
  '2024-03-02 12:29:59',
  '2024-03-02 12:30:00',
  '2024-03-03 23:59:59',
  '2024-03-04 00:00:00',
  '2024-03-05 10:15:00',
] as const;

/** Customer ids the dimension may receive; `c9` is only ever referenced by orders. */
export const CUSTOMER_IDS = ['c1', 'c2', 'c3', 'c4'] as const;
/** Product ids the dimension may receive; `p9` is only ever referenced by items. */
export const PRODUCT_IDS = ['p1', 'p2', 'p3', 'p4'] as const;
/** Order ids; `o9` is only ever referenced by items, payments and shipments. */
export const ORDER_IDS = ['o1', 'o2', 'o3', 'o4', 'o5'] as const;

const REFERENCED_CUSTOMERS = [...CUSTOMER_IDS, 'c9'] as const;
const REFERENCED_PRODUCTS = [...PRODUCT_IDS, 'p9'] as const;

/** Payment methods: canonical codes plus one the vocabulary has never seen. */
export const PAYMENT_METHODS = ['credit_card', 'paypal', 'boleto'] as const;
/** Shipment statuses: canonical codes plus one the vocabulary has never seen. */
export const SHIPMENT_STATUSES = ['pending', 'shipped', 'in_transit', 'delivered', 'held_at_customs'] as const;

const ORDER_STATUSES = ['placed', 'paid', 'shipped', 'cancelled', null] as const;

/** True about one time in `n`. */
const oneIn = (n: number): fc.Arbitrary<boolean> => fc.integer({ min: 1, max: n }).map((k) => k === 1);

/** One of the values, the first `n - 1` times in `n` the given default. */
function mostly<T>(usual: T, others: readonly T[], n = 4): fc.Arbitrary<T> {
  return fc.tuple(oneIn(n), fc.constantFrom(...others)).map(([other, value]) => (other ? value : usual));
}

/** Attribute choices per column: a change row alters at most one attribute of the key's base record. */
type Choices<T> = { [K in keyof T]?: readonly T[K][] };

function baseArb<T>(choices: Choices<T>): fc.Arbitrary<Partial<T>> {
  const entries = Object.entries(choices) as [string, readonly unknown[]][];
  return fc.record(Object.fromEntries(entries.map(([name, values]) => [name, fc.constantFrom(...values)]))) as fc.Arbitrary<Partial<T>>;
}

function tweakArb<T>(choices: Choices<T>): fc.Arbitrary<Partial<T>> {
  const entries = Object.entries(choices) as [string, readonly unknown[]][];
  const one = fc.oneof(
    ...entries.map(([name, values]) => fc.constantFrom(...values).map((value) => ({ [name]: value }) as Partial<T>)),
  );
  return fc.option(one, { nil: {} as Partial<T>, freq: 2 });
}

/** The rows, plus up to two exact copies of some of them. */
function withDuplicates<R extends object>(rows: R[]): fc.Arbitrary<R[]> {
  if (rows.length === 0) return fc.constant(rows);
  return fc
    .array(fc.nat({ max: rows.length - 1 }), { maxLength: 2 })
    .map((picks) => [...rows, ...picks.map((i) => ({ ...(rows[i] as R) }))]);
}

// ---------------------------------------------------------------- dimensions

const CUSTOMER_CHOICES: Choices<CustomerRow> = {
  email: ['ann@example.com', 'bob@example.com', null],
  first_name: ['Ann', 'Zoë'],
  last_name: ["O'Neil, Jr.", 'Smith', 'the "boss"'],
  city: ['Lyon', 'Porto', null],
  state: ['CA', null],
  country: ['FR', 'PT'],
  segment: ['consumer', 'corporate', 'vip', null],
};

const PRODUCT_CHOICES: Choices<ProductRow> = {
  sku: ['SKU-1', 'SKU-2'],
  name: ['Mug', 'Tee, large', '"Best" pen'],
  category: ['kitchen', 'apparel', null],
  brand: ['Acme', null],
  list_price: [9.99, 12.5, 20, null],
  unit_cost: [4.25, 6, 12.5, null],
};

/** Change rows of one dimension key: a base record, each row tweaking at most one attribute. */
function dimensionKeyRows<R extends { updated_at: string; is_deleted: boolean }>(
  choices: Choices<R>,
  identity: Partial<R>,
): fc.Arbitrary<R[]> {
  const change = fc.record({
    updated_at: fc.constantFrom(...UPDATED_AT_POOL),
    tweak: tweakArb(choices),
    is_deleted: oneIn(4),
    // Shops often send a delete as the key alone: attributes then come from the version before.
    bare: fc.boolean(),
  });
  const nothing = Object.fromEntries(Object.keys(choices).map((name) => [name, null])) as Partial<R>;
  return fc.tuple(baseArb(choices), fc.array(change, { minLength: 1, maxLength: 4 })).map(([base, changes]) =>
    changes.map((c) => {
      const attributes = c.is_deleted && c.bare ? nothing : { ...base, ...c.tweak };
      return { ...attributes, ...identity, updated_at: c.updated_at, is_deleted: c.is_deleted } as R;
    }),
  );
}

function customersArb(ids: readonly string[]): fc.Arbitrary<CustomerRow[]> {
  return fc
    .tuple(...ids.map((id) => dimensionKeyRows<CustomerRow>(CUSTOMER_CHOICES, { customer_id: id })))
    .map((perKey) => perKey.flat())
    .chain(withDuplicates);
}

function productsArb(ids: readonly string[]): fc.Arbitrary<ProductRow[]> {
  return fc
    .tuple(...ids.map((id) => dimensionKeyRows<ProductRow>(PRODUCT_CHOICES, { product_id: id })))
    .map((perKey) => perKey.flat())
    .chain(withDuplicates);
}

/** Mostly a key the dimension received (so facts meet history), sometimes any key, sent or not. */
function referenceArb(sent: readonly string[], any: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: fc.constantFrom(...sent), weight: 3 }, { arbitrary: fc.constantFrom(...any), weight: 1 });
}

// ---------------------------------------------------------------- orders and their facts

/** The dimension keys a change set sends. */
interface SentKeys {
  customers: readonly string[];
  products: readonly string[];
}

interface OrderRows {
  orders: OrderRow[];
  order_items: OrderItemRow[];
  payments: PaymentRow[];
  shipments: ShipmentRow[];
}

function orderRowsArb(orderId: string, sent: boolean, keys: SentKeys): fc.Arbitrary<OrderRows> {
  const ordersArb = fc
    .tuple(referenceArb(keys.customers, REFERENCED_CUSTOMERS), fc.constantFrom(...ORDER_TS_POOL))
    .chain(([customerId, orderTs]) =>
      fc.array(
        fc.record({
          order_id: fc.constant(orderId),
          customer_id: mostly(customerId, REFERENCED_CUSTOMERS, 6),
          order_ts: mostly(orderTs, ORDER_TS_POOL, 6),
          updated_at: fc.constantFrom(...UPDATED_AT_POOL),
          status: fc.constantFrom(...ORDER_STATUSES),
          currency: mostly<string | null>('EUR', [null]),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    );
  const lineArb = (lineNumber: number): fc.Arbitrary<OrderItemRow[]> =>
    referenceArb(keys.products, REFERENCED_PRODUCTS).chain((productId) =>
      fc.array(
        fc
          .record({
            order_id: fc.constant(orderId),
            line_number: fc.constant(lineNumber),
            product_id: mostly(productId, REFERENCED_PRODUCTS, 5),
            quantity: fc.integer({ min: 1, max: 3 }),
            unit_price: fc.constantFrom(0, 9.99, 10, 25.5),
            updated_at: fc.constantFrom(...UPDATED_AT_POOL),
            discount_amount: fc.constantFrom(null, 0, 1.25, 5),
            shipping_amount: fc.constantFrom(null, 0, 4.99),
            is_deleted: oneIn(4),
          })
          // A discount above the line's gross would be quarantined: keep rows valid.
          .map((item) => {
            const grossCents = item.quantity * Math.round(item.unit_price * 100);
            const discountCents = Math.round((item.discount_amount ?? 0) * 100);
            return discountCents > grossCents ? { ...item, discount_amount: null } : item;
          }),
        { minLength: 1, maxLength: 3 },
      ),
    );
  const itemsArb = fc
    .integer({ min: 1, max: 3 })
    .chain((lines) => fc.tuple(...Array.from({ length: lines }, (_, i) => lineArb(i + 1))))
    .map((perLine) => perLine.flat());
  const paymentArb = (paymentId: string): fc.Arbitrary<PaymentRow[]> =>
    fc.array(
      fc.record({
        payment_id: fc.constant(paymentId),
        order_id: fc.constant(orderId),
        payment_method: fc.constantFrom(...PAYMENT_METHODS),
        amount: fc.constantFrom(10, 25.5),
        paid_at: fc.constantFrom(...ORDER_TS_POOL),
        updated_at: fc.option(fc.constantFrom(...UPDATED_AT_POOL), { nil: null, freq: 3 }),
      }),
      { minLength: 1, maxLength: 2 },
    );
  const paymentsArb = fc
    .integer({ min: 0, max: 2 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => paymentArb(`pay-${orderId}-${i + 1}`))))
    .map((perPayment) => perPayment.flat());
  const shipmentArb = (shipmentId: string): fc.Arbitrary<ShipmentRow[]> =>
    fc.array(
      fc.record({
        shipment_id: fc.constant(shipmentId),
        order_id: fc.constant(orderId),
        status: fc.constantFrom(...SHIPMENT_STATUSES),
        updated_at: fc.constantFrom(...UPDATED_AT_POOL),
        carrier: fc.constantFrom('dhl', 'ups', null),
        shipped_at: fc.option(fc.constantFrom(...ORDER_TS_POOL), { nil: null }),
        delivered_at: fc.option(fc.constantFrom(...ORDER_TS_POOL), { nil: null }),
      }),
      { minLength: 1, maxLength: 4 },
    );
  const shipmentsArb = fc
    .integer({ min: 0, max: 2 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => shipmentArb(`shp-${orderId}-${i + 1}`))))
    .map((perShipment) => perShipment.flat());
  return fc
    .record({ orders: ordersArb, order_items: itemsArb, payments: paymentsArb, shipments: shipmentsArb })
    .map((rows) => (sent ? rows : { ...rows, orders: [] }));
}

function ordersAndFactsArb(keys: SentKeys): fc.Arbitrary<OrderRows> {
  return fc
    .tuple(fc.subarray([...ORDER_IDS], { minLength: 1 }), oneIn(3))
    .chain(([ids, withOrphan]) =>
      fc.tuple(
        ...ids.map((id) => oneIn(6).chain((missing) => orderRowsArb(id, !missing, keys))),
        ...(withOrphan ? [orderRowsArb('o9', false, keys)] : []),
      ),
    )
    .chain((perOrder) =>
      fc.record({
        orders: withDuplicates(perOrder.flatMap((o) => o.orders)),
        order_items: withDuplicates(perOrder.flatMap((o) => o.order_items)),
        payments: withDuplicates(perOrder.flatMap((o) => o.payments)),
        shipments: withDuplicates(perOrder.flatMap((o) => o.shipments)),
      }),
    );
}

/**
 * Small change sets of all six tables: 1-4 customers and products, 1-5 orders
 * (plus sometimes the never-sent `o9`) with 1-3 lines, 0-2 payments and 0-2
 * shipments each, several change rows per key over few instants, exact
 * duplicates, deletes, and references to customers/products/orders never sent.
 */
export const sourceRowsArb: fc.Arbitrary<SourceRows> = fc
  .record({
    customers: fc.subarray([...CUSTOMER_IDS], { minLength: 1 }),
    products: fc.subarray([...PRODUCT_IDS], { minLength: 1 }),
  })
  .chain((keys) =>
    fc.record({ customers: customersArb(keys.customers), products: productsArb(keys.products), facts: ordersAndFactsArb(keys) }),
  )
  .map(({ customers, products, facts }) => ({ customers, products, ...facts }));

/** A permutation of `length` indexes. */
function permutationArb(length: number): fc.Arbitrary<number[]> {
  const indexes = Array.from({ length }, (_, i) => i);
  return fc.shuffledSubarray(indexes, { minLength: length, maxLength: length });
}

/** Each table's rows in a random order (a reordering of the input, duplicates kept). */
export function shuffledRowsArb(rows: SourceRows): fc.Arbitrary<SourceRows> {
  const perTable = Object.fromEntries(
    SOURCE_TABLES.map((table) => [table, permutationArb(rows[table].length).map((order) => order.map((i) => rows[table][i]))]),
  );
  return fc.record(perTable) as unknown as fc.Arbitrary<SourceRows>;
}

/**
 * Random batchings of the rows: every row (duplicates included) goes to one of
 * 1-4 batches `b0`..`b3`, in a random order within its batch; batches that
 * received no row are left out; sorted by batch id (the processing order).
 */
export function batchingArb(rows: SourceRows): fc.Arbitrary<SourceBatch[]> {
  return fc.integer({ min: 1, max: 4 }).chain((batchCount) => {
    const placement = (table: SourceTable) =>
      fc.tuple(
        permutationArb(rows[table].length),
        fc.array(fc.nat({ max: batchCount - 1 }), { minLength: rows[table].length, maxLength: rows[table].length }),
      );
    const placements = Object.fromEntries(SOURCE_TABLES.map((table) => [table, placement(table)]));
    return (fc.record(placements) as unknown as fc.Arbitrary<Record<SourceTable, [number[], number[]]>>).map((placed) => {
      const batches = Array.from({ length: batchCount }, (_, b) => ({ batchId: `b${b}`, rows: emptySourceRows() }));
      for (const table of SOURCE_TABLES) {
        const [order, assignment] = placed[table];
        order.forEach((rowIndex, position) => {
          const batch = batches[assignment[position] ?? 0] as SourceBatch;
          (batch.rows[table] as unknown[]).push(rows[table][rowIndex]);
        });
      }
      return batches.filter((b) => SOURCE_TABLES.some((table) => b.rows[table].length > 0));
    });
  });
}
