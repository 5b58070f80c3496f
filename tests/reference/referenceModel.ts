/**
 * An independent reference model ("oracle") of the gold layer (SPEC section 3),
 * in plain TypeScript over in-memory rows. Property tests compare the real
 * warehouse with it; it is written from the specification, not from the SQL.
 *
 * Input: every typed source row ever received (what survives normalization),
 * in any order. Output: the canonical form of the `dw` tables described on
 * {@link ReferenceWarehouse}.
 */
import { createHash } from 'node:crypto';
import { CONTRACT, type ColumnSpec, type SourceTable } from '../../functions/core/contract.js';

// ---------------------------------------------------------------- typed source rows

/** A typed `customers` change row. */
export interface CustomerRow {
  customer_id: string;
  updated_at: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  segment: string | null;
  is_deleted: boolean;
}

/** A typed `products` change row. */
export interface ProductRow {
  product_id: string;
  updated_at: string;
  sku: string | null;
  name: string | null;
  category: string | null;
  brand: string | null;
  list_price: number | null;
  unit_cost: number | null;
  is_deleted: boolean;
}

/** A typed `orders` change row. */
export interface OrderRow {
  order_id: string;
  customer_id: string;
  order_ts: string;
  updated_at: string;
  status: string | null;
  currency: string | null;
}

/** A typed `order_items` change row. */
export interface OrderItemRow {
  order_id: string;
  line_number: number;
  product_id: string;
  quantity: number;
  unit_price: number;
  updated_at: string;
  discount_amount: number | null;
  shipping_amount: number | null;
  is_deleted: boolean;
}

/** A typed `payments` change row. */
export interface PaymentRow {
  payment_id: string;
  order_id: string;
  payment_method: string;
  amount: number;
  paid_at: string;
  updated_at: string | null;
}

/** A typed `shipments` change row. */
export interface ShipmentRow {
  shipment_id: string;
  order_id: string;
  status: string;
  updated_at: string;
  carrier: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
}

/** The typed row interface of each source table. */
export interface SourceRowTypes {
  customers: CustomerRow;
  products: ProductRow;
  orders: OrderRow;
  order_items: OrderItemRow;
  payments: PaymentRow;
  shipments: ShipmentRow;
}

/**
 * Typed source rows of the six tables: timestamps `YYYY-MM-DD HH:MM:SS` (UTC,
 * whole seconds), decimals as numbers (at most 4 decimals; the lake writer
 * needs at most 2), integers, booleans, canonical lower-case vocabulary codes.
 */
export type SourceRows = { [T in SourceTable]: SourceRowTypes[T][] };

/** One batch of the lake: an id (processed in ascending lexical order) and its rows. */
export interface SourceBatch {
  batchId: string;
  rows: SourceRows;
}

// ---------------------------------------------------------------- canonical gold rows

/** A point-in-time reference to a customer version: its natural key and `valid_from`. */
export interface CustomerVersionRef {
  customer_id: string;
  valid_from: string;
}

/** A point-in-time reference to a product version: its natural key and `valid_from`. */
export interface ProductVersionRef {
  product_id: string;
  valid_from: string;
}

/** The SCD2 bookkeeping columns every dimension version carries. */
export interface VersionColumns {
  is_inferred: boolean;
  is_deleted: boolean;
  valid_from: string;
  valid_to: string;
  is_current: boolean;
  row_hash: string;
}

/** A `dw.dim_customers` version without its surrogate key and `batch_id`. */
export interface RefCustomerVersion extends VersionColumns {
  customer_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  segment: string | null;
}

/** A `dw.dim_products` version without its surrogate key and `batch_id`; decimals as 4-place strings. */
export interface RefProductVersion extends VersionColumns {
  product_id: string;
  sku: string | null;
  name: string | null;
  category: string | null;
  brand: string | null;
  list_price: string | null;
  unit_cost: string | null;
}

/** A `dw.fact_order_items` row; surrogate keys replaced by natural references and codes. */
export interface RefFactOrderItem {
  order_id: string;
  line_number: number;
  order_ts: string;
  order_date_key: number;
  customer: CustomerVersionRef;
  product: ProductVersionRef;
  payment_method_code: string;
  shipment_status_code: string;
  order_status: string | null;
  quantity: number;
  unit_price: string;
  discount_amount: string;
  gross_revenue: string;
  net_revenue: string;
  shipping_amount: string;
  unit_cost: string | null;
  cost_amount: string | null;
  margin: string | null;
}

/** A `dw.fact_payments` row; surrogate keys replaced by natural references and codes. */
export interface RefFactPayment {
  payment_id: string;
  order_id: string;
  paid_at: string;
  payment_date_key: number;
  payment_method_code: string;
  customer: CustomerVersionRef;
  amount: string;
}

/**
 * A `dw.fact_order_fulfillment` row (one per order); surrogate keys replaced by
 * natural references and codes, lags as 2-place decimal strings (`'12.50'`).
 */
export interface RefFactOrderFulfillment {
  order_id: string;
  order_ts: string;
  order_date_key: number;
  customer: CustomerVersionRef;
  payment_method_code: string;
  shipment_status_code: string;
  order_status: string | null;
  item_count: number;
  unit_count: number;
  net_revenue: string;
  payment_count: number;
  paid_amount: string;
  first_paid_at: string | null;
  first_shipped_at: string | null;
  delivered_at: string | null;
  placed_to_paid_hours: string | null;
  placed_to_shipped_hours: string | null;
  shipped_to_delivered_hours: string | null;
  placed_to_delivered_hours: string | null;
  is_paid: boolean;
  is_shipped: boolean;
  is_delivered: boolean;
  is_cancelled: boolean;
  is_returned: boolean;
}

/** How many latest records wait for their order, per table (tombstoned items included). */
export interface RefWaiting {
  order_items: number;
  payments: number;
  shipments: number;
}

/**
 * The gold layer in canonical, JSON-friendly form, so that a test can
 * `expect(renderedWarehouse).toEqual(referenceWarehouse(rows))`.
 *
 * Canonical form (render warehouse rows exactly like this):
 * - timestamps: `'YYYY-MM-DD HH:MM:SS'` strings (UTC, whole seconds); sentinels
 *   `'1900-01-01 00:00:00'` and `'9999-12-31 00:00:00'`;
 * - decimals (prices, amounts, costs, revenues, margin): strings with exactly 4
 *   decimal places and a leading `-` when negative, e.g. `'12.5000'`, `'0.0000'`,
 *   `'-3.2500'` (no `+`, no exponent, at least one integer digit);
 * - integers (`line_number`, `quantity`, `order_date_key`, `payment_date_key`):
 *   JS numbers; date keys are `YYYYMMDD` of the UTC date;
 * - booleans: JS booleans; text and vocabulary codes: strings as stored;
 *   SQL NULL: `null` (never `undefined`, never omitted);
 * - surrogate keys and `batch_id` are absent: a fact's `customer_sk` /
 *   `product_sk` is rendered as `customer: { customer_id, valid_from }` /
 *   `product: { product_id, valid_from }` of the dimension row it points to;
 *   `payment_method_key` / `shipment_status_key` as the member's code
 *   (`payment_method_code`, `shipment_status_code`, `'unknown'` for none);
 * - lags (`*_hours`): hours between two timestamps as text with exactly 2
 *   decimal places, rounded half away from zero (`'0.02'` for 54 s), NULL when
 *   either end is NULL;
 * - order: `dimCustomers` by (`customer_id`, `valid_from`), `dimProducts` by
 *   (`product_id`, `valid_from`), `factOrderItems` by (`order_id`,
 *   `line_number`), `factPayments` by `payment_id`, `factOrderFulfillment` by
 *   `order_id`; strings compared with
 *   JS `<` (UTF-16 code units; identical to byte order for ASCII ids).
 */
export interface ReferenceWarehouse {
  dimCustomers: RefCustomerVersion[];
  dimProducts: RefProductVersion[];
  factOrderItems: RefFactOrderItem[];
  factPayments: RefFactPayment[];
  factOrderFulfillment: RefFactOrderFulfillment[];
  waiting: RefWaiting;
}

// ---------------------------------------------------------------- constants and rendering

/** Low end of every dimension timeline. */
export const LOW_SENTINEL = '1900-01-01 00:00:00';
/** High end of every dimension timeline; `valid_to` of the current version. */
export const HIGH_SENTINEL = '9999-12-31 00:00:00';
/** How NULL is spelled inside row hashes. */
export const HASH_NULL_TEXT = '<null>';
/** The payment method / shipment status code of an order that has none. */
export const UNKNOWN_CODE = 'unknown';

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DECIMAL_TEXT_PATTERN = /^(-?)(\d+)(?:\.(\d{1,4}))?$/;

/** Exact decimals: integer count of ten-thousandths. */
type Units = bigint;

/** A decimal (number with at most 4 decimals, or its text) as ten-thousandths. */
export function decimalUnits(value: number | string): Units {
  const text = typeof value === 'number' ? value.toFixed(4) : value;
  const match = DECIMAL_TEXT_PATTERN.exec(text);
  if (!match) throw new TypeError(`not a decimal with at most 4 places: ${String(value)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const units = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0'));
  return sign === '-' ? -units : units;
}

/** Ten-thousandths as canonical decimal text with exactly 4 places. */
export function formatUnits(units: Units): string {
  const digits = (units < 0n ? -units : units).toString().padStart(5, '0');
  return `${units < 0n ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** A decimal as canonical text with exactly 4 places, e.g. `12.5` → `'12.5000'`. */
export function formatDecimal(value: number): string {
  return formatUnits(decimalUnits(value));
}

/** A warehouse decimal (a number, or text such as `'12.5'` / `'12.5000'`) in canonical 4-place form; NULL stays null. */
export function canonicalDecimal(value: number | string | null): string | null {
  return value === null ? null : formatUnits(decimalUnits(typeof value === 'string' ? value.trim() : value));
}

const WAREHOUSE_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.0+)?(?:Z|[+-]00(?::?00)?)?$/;

/** A warehouse timestamp (a UTC Date, or text with `T`, `Z`, `+00` or zero fractions) as `YYYY-MM-DD HH:MM:SS`; NULL stays null. */
export function canonicalTimestamp(value: string | Date | null): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
  const match = WAREHOUSE_TIMESTAMP.exec(value.trim());
  if (!match) throw new TypeError(`not a whole-second UTC timestamp: ${value}`);
  return `${match[1]} ${match[2]}`;
}

/** The `YYYYMMDD` date key of a canonical timestamp. */
export function dateKey(timestamp: string): number {
  return Number(`${timestamp.slice(0, 4)}${timestamp.slice(5, 7)}${timestamp.slice(8, 10)}`);
}

/**
 * Hours from one canonical timestamp to another as text with 2 decimals,
 * rounded half away from zero; NULL when either is NULL.
 */
export function lagHours(from: string | null, to: string | null): string | null {
  if (from === null || to === null) return null;
  const seconds = BigInt((Date.parse(`${to.replace(' ', 'T')}Z`) - Date.parse(`${from.replace(' ', 'T')}Z`)) / 1000);
  const magnitude = ((seconds < 0n ? -seconds : seconds) * 2n + 36n) / 72n;
  const hundredths = seconds < 0n ? -magnitude : magnitude;
  const digits = (hundredths < 0n ? -hundredths : hundredths).toString().padStart(3, '0');
  return `${hundredths < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** md5 hex of a text. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** How one typed value is spelled inside a row hash. */
export function hashText(kind: ColumnSpec['kind'], value: unknown): string {
  if (value === null || value === undefined) return HASH_NULL_TEXT;
  switch (kind) {
    case 'decimal':
      return formatDecimal(value as number);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}

/** The columns a source row hash covers: the contract's, minus the key and `updated_at`. */
export function hashedColumns(table: SourceTable): ColumnSpec[] {
  const key = CONTRACT[table].key;
  return CONTRACT[table].columns.filter((c) => !key.includes(c.name) && c.name !== 'updated_at');
}

/** The row hash of a typed source row (md5 of its hashed columns joined with `|`). */
export function sourceRowHash<T extends SourceTable>(table: T, row: SourceRowTypes[T]): string {
  const record = row as unknown as Readonly<Record<string, unknown>>;
  return md5Hex(hashedColumns(table).map((c) => hashText(c.kind, record[c.name])).join('|'));
}

/** The dimension attribute columns of a dimension's source table (optional columns but `is_deleted`). */
export function attributeColumns(table: 'customers' | 'products'): ColumnSpec[] {
  return CONTRACT[table].columns.filter((c) => !c.required && c.name !== 'is_deleted');
}

/** Throws a TypeError unless every row of every table is well-typed for the contract. */
export function assertTypedRows(rows: SourceRows): void {
  for (const table of Object.keys(CONTRACT) as SourceTable[]) {
    for (const row of rows[table]) assertTypedRow(table, row as unknown as Readonly<Record<string, unknown>>);
  }
}

function assertTypedRow(table: SourceTable, row: Readonly<Record<string, unknown>>): void {
  for (const column of CONTRACT[table].columns) {
    const value = row[column.name];
    const fail = (why: string): never => {
      throw new TypeError(`${table}.${column.name} ${why}: ${JSON.stringify(row)}`);
    };
    if (value === undefined) fail('is missing (use null)');
    if (value === null) {
      if (column.required || column.kind === 'boolean') fail('is null');
      continue;
    }
    const ok = {
      text: () => typeof value === 'string' && value.length > 0 && value === value.trim(),
      vocabulary: () => typeof value === 'string' && value.length > 0 && value === value.trim().toLowerCase(),
      timestamp: () => typeof value === 'string' && TIMESTAMP_PATTERN.test(value),
      decimal: () => typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(4)) === value,
      integer: () => typeof value === 'number' && Number.isSafeInteger(value),
      boolean: () => typeof value === 'boolean',
    }[column.kind]();
    if (!ok) fail(`is not a canonical ${column.kind}`);
  }
}

// ---------------------------------------------------------------- helpers

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function groupBy<R>(rows: readonly R[], keyOf: (row: R) => string): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** Per key, the row with the greatest (event time, row hash); tombstones included. */
function latestRecords<T extends SourceTable>(
  table: T,
  rows: readonly SourceRowTypes[T][],
  keyOf: (row: SourceRowTypes[T]) => string,
  eventTimeOf: (row: SourceRowTypes[T]) => string,
): Map<string, SourceRowTypes[T]> {
  const latest = new Map<string, { row: SourceRowTypes[T]; time: string; hash: string }>();
  for (const row of rows) {
    const key = keyOf(row);
    const candidate = { row, time: eventTimeOf(row), hash: sourceRowHash(table, row) };
    const current = latest.get(key);
    if (!current || candidate.time > current.time || (candidate.time === current.time && candidate.hash > current.hash)) {
      latest.set(key, candidate);
    }
  }
  return new Map([...latest].map(([key, { row }]) => [key, row]));
}

// ---------------------------------------------------------------- dimensions

type AttributeValue = string | null;

/** A dimension version before it gets its natural-key column name. */
interface Version extends VersionColumns {
  key: string;
  attributes: Record<string, AttributeValue>;
}

function canonicalAttribute(column: ColumnSpec, value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  return column.kind === 'decimal' ? formatDecimal(value as number) : String(value);
}

function versionHash(columns: readonly ColumnSpec[], attributes: Record<string, AttributeValue>, isDeleted: boolean): string {
  const parts = columns.map((c) => attributes[c.name] ?? HASH_NULL_TEXT);
  return md5Hex([...parts, isDeleted ? 'true' : 'false'].join('|'));
}

/** The SCD2 timeline of one dimension: every key's versions, then the inferred members. */
function buildDimension(
  table: 'customers' | 'products',
  rows: readonly (CustomerRow | ProductRow)[],
  keyOf: (row: CustomerRow | ProductRow) => string,
  referencedKeys: ReadonlySet<string>,
): Version[] {
  const columns = attributeColumns(table);
  const versions: Version[] = [];
  const groups = groupBy(rows, keyOf);
  for (const [key, keyRows] of groups) {
    // Steps 1-2: one row per updated_at, the greatest row_hash (exact duplicates fold in).
    const perInstant = new Map<string, { row: CustomerRow | ProductRow; hash: string }>();
    for (const row of keyRows) {
      const hash = table === 'customers' ? sourceRowHash('customers', row as CustomerRow) : sourceRowHash('products', row as ProductRow);
      const current = perInstant.get(row.updated_at);
      if (!current || hash > current.hash) perInstant.set(row.updated_at, { row, hash });
    }
    const kept = [...perInstant.values()].map((k) => k.row).sort((a, b) => byText(a.updated_at, b.updated_at));
    // Steps 3-4: effective attributes (deletes carry the previous ones), then collapse repeats.
    const changes: { at: string; attributes: Record<string, AttributeValue>; isDeleted: boolean }[] = [];
    let previous = null as { attributes: Record<string, AttributeValue>; signature: string } | null;
    for (const row of kept) {
      const record = row as unknown as Readonly<Record<string, unknown>>;
      const own: Record<string, AttributeValue> = Object.fromEntries(
        columns.map((c) => [c.name, canonicalAttribute(c, record[c.name])]),
      );
      const attributes: Record<string, AttributeValue> = row.is_deleted && previous ? previous.attributes : own;
      const signature = JSON.stringify([columns.map((c) => attributes[c.name]), row.is_deleted]);
      if (previous?.signature !== signature) changes.push({ at: row.updated_at, attributes, isDeleted: row.is_deleted });
      previous = { attributes, signature };
    }
    // Step 5: versions tile [low, high).
    changes.forEach((change, i) => {
      const validTo = changes[i + 1]?.at ?? HIGH_SENTINEL;
      versions.push({
        key,
        attributes: change.attributes,
        is_inferred: false,
        is_deleted: change.isDeleted,
        valid_from: i === 0 ? LOW_SENTINEL : change.at,
        valid_to: validTo,
        is_current: validTo === HIGH_SENTINEL,
        row_hash: versionHash(columns, change.attributes, change.isDeleted),
      });
    });
  }
  // Step 6: inferred members for referenced keys the dimension never received.
  for (const key of referencedKeys) {
    if (groups.has(key)) continue;
    const attributes = Object.fromEntries(columns.map((c) => [c.name, null]));
    versions.push({
      key,
      attributes,
      is_inferred: true,
      is_deleted: false,
      valid_from: LOW_SENTINEL,
      valid_to: HIGH_SENTINEL,
      is_current: true,
      row_hash: versionHash(columns, attributes, false),
    });
  }
  return versions.sort((a, b) => byText(a.key, b.key) || byText(a.valid_from, b.valid_from));
}

/** Point-in-time lookup: the version of `key` with valid_from <= at < valid_to. */
function versionAt(timelines: ReadonlyMap<string, readonly Version[]>, key: string, at: string): Version {
  const version = timelines.get(key)?.find((v) => v.valid_from <= at && at < v.valid_to);
  if (!version) throw new Error(`reference model: no version of '${key}' valid at ${at}`);
  return version;
}

// ---------------------------------------------------------------- facts

const itemKey = (row: OrderItemRow): string => JSON.stringify([row.order_id, row.line_number]);

/** Per order, the primary payment (largest amount, then smallest payment_id). */
function primaryPayments(payments: Iterable<PaymentRow>): Map<string, PaymentRow> {
  const primary = new Map<string, PaymentRow>();
  for (const payment of payments) {
    const current = primary.get(payment.order_id);
    const amount = decimalUnits(payment.amount);
    if (
      !current ||
      amount > decimalUnits(current.amount) ||
      (amount === decimalUnits(current.amount) && payment.payment_id < current.payment_id)
    ) {
      primary.set(payment.order_id, payment);
    }
  }
  return primary;
}

/** Per order, the latest shipment (greatest updated_at, then greatest shipment_id). */
function latestShipments(shipments: Iterable<ShipmentRow>): Map<string, ShipmentRow> {
  const latest = new Map<string, ShipmentRow>();
  for (const shipment of shipments) {
    const current = latest.get(shipment.order_id);
    if (
      !current ||
      shipment.updated_at > current.updated_at ||
      (shipment.updated_at === current.updated_at && shipment.shipment_id > current.shipment_id)
    ) {
      latest.set(shipment.order_id, shipment);
    }
  }
  return latest;
}

/** The gold layer the pipeline must produce from these source rows, in canonical form. */
export function referenceWarehouse(rows: SourceRows): ReferenceWarehouse {
  assertTypedRows(rows);

  // Dimensions, with inferred members for every key any fact row ever referenced.
  const customerVersions = buildDimension(
    'customers',
    rows.customers,
    (r) => (r as CustomerRow).customer_id,
    new Set(rows.orders.map((o) => o.customer_id)),
  );
  const productVersions = buildDimension(
    'products',
    rows.products,
    (r) => (r as ProductRow).product_id,
    new Set(rows.order_items.map((i) => i.product_id)),
  );
  const customerTimelines = groupBy(customerVersions, (v) => v.key);
  const productTimelines = groupBy(productVersions, (v) => v.key);

  // Latest records per key.
  const orders = latestRecords('orders', rows.orders, (r) => r.order_id, (r) => r.updated_at);
  const items = latestRecords('order_items', rows.order_items, itemKey, (r) => r.updated_at);
  const payments = latestRecords('payments', rows.payments, (r) => r.payment_id, (r) => r.updated_at ?? r.paid_at);
  const shipments = latestRecords('shipments', rows.shipments, (r) => r.shipment_id, (r) => r.updated_at);
  const primary = primaryPayments(payments.values());
  const lastShipment = latestShipments(shipments.values());

  const customerRef = (order: OrderRow): CustomerVersionRef => ({
    customer_id: order.customer_id,
    valid_from: versionAt(customerTimelines, order.customer_id, order.order_ts).valid_from,
  });

  const factOrderItems: RefFactOrderItem[] = [];
  for (const item of items.values()) {
    const order = orders.get(item.order_id);
    if (item.is_deleted || !order) continue;
    const product = versionAt(productTimelines, item.product_id, order.order_ts);
    const gross = BigInt(item.quantity) * decimalUnits(item.unit_price);
    const net = gross - decimalUnits(item.discount_amount ?? 0);
    const unitCost = product.attributes.unit_cost ?? null;
    const cost = unitCost === null ? null : BigInt(item.quantity) * decimalUnits(unitCost);
    factOrderItems.push({
      order_id: item.order_id,
      line_number: item.line_number,
      order_ts: order.order_ts,
      order_date_key: dateKey(order.order_ts),
      customer: customerRef(order),
      product: { product_id: item.product_id, valid_from: product.valid_from },
      payment_method_code: primary.get(order.order_id)?.payment_method ?? UNKNOWN_CODE,
      shipment_status_code: lastShipment.get(order.order_id)?.status ?? UNKNOWN_CODE,
      order_status: order.status,
      quantity: item.quantity,
      unit_price: formatDecimal(item.unit_price),
      discount_amount: formatDecimal(item.discount_amount ?? 0),
      gross_revenue: formatUnits(gross),
      net_revenue: formatUnits(net),
      shipping_amount: formatDecimal(item.shipping_amount ?? 0),
      unit_cost: unitCost,
      cost_amount: cost === null ? null : formatUnits(cost),
      margin: cost === null ? null : formatUnits(net - cost),
    });
  }
  factOrderItems.sort((a, b) => byText(a.order_id, b.order_id) || a.line_number - b.line_number);

  const factPayments: RefFactPayment[] = [];
  for (const payment of payments.values()) {
    const order = orders.get(payment.order_id);
    if (!order) continue;
    factPayments.push({
      payment_id: payment.payment_id,
      order_id: payment.order_id,
      paid_at: payment.paid_at,
      payment_date_key: dateKey(payment.paid_at),
      payment_method_code: payment.payment_method,
      customer: customerRef(order),
      amount: formatDecimal(payment.amount),
    });
  }
  factPayments.sort((a, b) => byText(a.payment_id, b.payment_id));

  const factOrderFulfillment = fulfillmentFacts(orders, factOrderItems, payments, shipments, primary, lastShipment, customerRef);

  const waitingCount = (records: Iterable<{ order_id: string }>): number =>
    [...records].filter((r) => !orders.has(r.order_id)).length;

  return {
    dimCustomers: customerVersions.map(({ key, attributes, ...bookkeeping }) => ({
      customer_id: key,
      ...(attributes as Omit<RefCustomerVersion, 'customer_id' | keyof VersionColumns>),
      ...bookkeeping,
    })),
    dimProducts: productVersions.map(({ key, attributes, ...bookkeeping }) => ({
      product_id: key,
      ...(attributes as Omit<RefProductVersion, 'product_id' | keyof VersionColumns>),
      ...bookkeeping,
    })),
    factOrderItems,
    factPayments,
    factOrderFulfillment,
    waiting: {
      order_items: waitingCount(items.values()),
      payments: waitingCount(payments.values()),
      shipments: waitingCount(shipments.values()),
    },
  };
}

/** One accumulating-snapshot row per order that arrived: its items, payments and shipment milestones. */
function fulfillmentFacts(
  orders: ReadonlyMap<string, OrderRow>,
  items: readonly RefFactOrderItem[],
  payments: ReadonlyMap<string, PaymentRow>,
  shipments: ReadonlyMap<string, ShipmentRow>,
  primary: ReadonlyMap<string, PaymentRow>,
  lastShipment: ReadonlyMap<string, ShipmentRow>,
  customerRef: (order: OrderRow) => CustomerVersionRef,
): RefFactOrderFulfillment[] {
  const itemsByOrder = groupBy(items, (i) => i.order_id);
  const paymentsByOrder = groupBy([...payments.values()], (p) => p.order_id);
  const shipmentsByOrder = groupBy([...shipments.values()], (s) => s.order_id);
  const earliest = (values: (string | null)[]): string | null => values.filter((v): v is string => v !== null).sort(byText)[0] ?? null;
  const latest = (values: (string | null)[]): string | null => values.filter((v): v is string => v !== null).sort(byText).at(-1) ?? null;
  const facts = [...orders.values()].map((order): RefFactOrderFulfillment => {
    const lines = itemsByOrder.get(order.order_id) ?? [];
    const paid = paymentsByOrder.get(order.order_id) ?? [];
    const shipped = shipmentsByOrder.get(order.order_id) ?? [];
    const firstPaidAt = earliest(paid.map((p) => p.paid_at));
    const firstShippedAt = earliest(shipped.map((s) => s.shipped_at));
    const deliveredAt = latest(shipped.map((s) => s.delivered_at));
    return {
      order_id: order.order_id,
      order_ts: order.order_ts,
      order_date_key: dateKey(order.order_ts),
      customer: customerRef(order),
      payment_method_code: primary.get(order.order_id)?.payment_method ?? UNKNOWN_CODE,
      shipment_status_code: lastShipment.get(order.order_id)?.status ?? UNKNOWN_CODE,
      order_status: order.status,
      item_count: lines.length,
      unit_count: lines.reduce((sum, line) => sum + line.quantity, 0),
      net_revenue: formatUnits(lines.reduce((sum, line) => sum + decimalUnits(line.net_revenue), 0n)),
      payment_count: paid.length,
      paid_amount: formatUnits(paid.reduce((sum, p) => sum + decimalUnits(p.amount), 0n)),
      first_paid_at: firstPaidAt,
      first_shipped_at: firstShippedAt,
      delivered_at: deliveredAt,
      placed_to_paid_hours: lagHours(order.order_ts, firstPaidAt),
      placed_to_shipped_hours: lagHours(order.order_ts, firstShippedAt),
      shipped_to_delivered_hours: lagHours(firstShippedAt, deliveredAt),
      placed_to_delivered_hours: lagHours(order.order_ts, deliveredAt),
      is_paid: firstPaidAt !== null,
      is_shipped: firstShippedAt !== null,
      is_delivered: deliveredAt !== null,
      is_cancelled: order.status === 'cancelled',
      is_returned: order.status === 'returned',
    };
  });
  return facts.sort((a, b) => byText(a.order_id, b.order_id));
}

/** The typed rows of several batches as one set (every row kept, duplicates included). */
export function unionOfBatches(batches: readonly SourceBatch[]): SourceRows {
  const union = emptySourceRows();
  for (const { rows } of batches) {
    for (const table of Object.keys(union) as SourceTable[]) {
      (union[table] as unknown[]).push(...rows[table]);
    }
  }
  return union;
}

/** A SourceRows with no rows in any table. */
export function emptySourceRows(): SourceRows {
  return { customers: [], products: [], orders: [], order_items: [], payments: [], shipments: [] };
}
