import type { CustomerRow, OrderRow, SourceBatch, SourceRows } from '../reference/referenceModel.js';

/** A customers change row with plain attributes, overridden by `attributes`. */
export const customer = (id: string, updatedAt: string, attributes: Partial<CustomerRow> = {}): CustomerRow => ({
  customer_id: id,
  updated_at: updatedAt,
  email: `${id.toLowerCase()}@example.com`,
  first_name: 'Ana',
  last_name: 'Lima',
  city: 'Lyon',
  state: null,
  country: 'FR',
  segment: 'consumer',
  is_deleted: false,
  ...attributes,
});

/** An orders change row placed (and last updated) at `orderTs`, overridden by `attributes`. */
export const order = (id: string, customerId: string, orderTs: string, attributes: Partial<OrderRow> = {}): OrderRow => ({
  order_id: id,
  customer_id: customerId,
  order_ts: orderTs,
  updated_at: orderTs,
  status: 'placed',
  currency: 'EUR',
  ...attributes,
});

/** One batch of source rows; the tables not given are empty. */
export const batch = (batchId: string, rows: Partial<SourceRows>): SourceBatch => ({
  batchId,
  rows: { customers: [], products: [], orders: [], order_items: [], payments: [], shipments: [], ...rows },
});
