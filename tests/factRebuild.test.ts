import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { writeLake } from './reference/lakeWriter.js';
import type { OrderItemRow, ProductRow } from './reference/referenceModel.js';
import { batch, customer, order } from './helpers/sourceRows.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

// BuildFacts updates the item facts of an order touched only at the order level in
// place (sql/facts/fact_order_items.sql) and builds the others again. These are the
// cases where an order-level change still moves what its items point at; the
// expected values are written from SPEC section 4, not read from a run.

// P1 costs 10 until 2024-01-10, then 12.
const product = (updatedAt: string, unitCost: number): ProductRow => ({
  product_id: 'P1',
  updated_at: updatedAt,
  sku: 'SKU-1',
  name: 'Mug',
  category: 'kitchen',
  brand: 'Acme',
  list_price: 30,
  unit_cost: unitCost,
  is_deleted: false,
});

const item = (orderId: string, line: number, quantity: number): OrderItemRow => ({
  order_id: orderId,
  line_number: line,
  product_id: 'P1',
  quantity,
  unit_price: 30,
  updated_at: '2024-01-05 00:00:00',
  discount_amount: null,
  shipping_amount: null,
  is_deleted: false,
});

const BATCHES = [
  batch('2024-01-20', {
    customers: [customer('C1', '2023-12-01 00:00:00', { city: 'Lyon' }), customer('C2', '2023-12-01 00:00:00', { city: 'Paris' })],
    products: [product('2023-12-01 00:00:00', 10), product('2024-01-10 00:00:00', 12)],
    orders: [order('O1', 'C1', '2024-01-05 09:00:00', { status: 'paid' }), order('O2', 'C1', '2024-01-06 09:00:00', { status: 'paid' })],
    order_items: [item('O1', 1, 2), item('O1', 2, 1), item('O2', 1, 1)],
    payments: [{ payment_id: 'PAY1', order_id: 'O1', payment_method: 'paypal', amount: 90, paid_at: '2024-01-05 09:05:00', updated_at: null }],
  }),
  // O1 changes only at the order level: shipped, to another customer, and a shipment.
  batch('2024-01-21', {
    orders: [order('O1', 'C2', '2024-01-05 09:00:00', { updated_at: '2024-01-07 10:00:00', status: 'shipped' })],
    shipments: [{ shipment_id: 'S1', order_id: 'O1', status: 'in_transit', updated_at: '2024-01-07 10:00:00', carrier: 'DHL', shipped_at: '2024-01-07 10:00:00', delivered_at: null }],
  }),
  // O1's time moves past the product's cost change: its items take the later version.
  batch('2024-01-22', {
    orders: [order('O1', 'C2', '2024-01-12 09:00:00', { updated_at: '2024-01-08 10:00:00', status: 'shipped' })],
  }),
];

interface ItemFact {
  order_id: string;
  line_number: number;
  customer_id: string;
  product_valid_from: string;
  unit_cost: number;
  margin: number;
  order_status: string;
  shipment_status: string;
  payment_method: string;
  batch_id: string;
}

describe('Item facts of an order changed only at the order level', () => {
  const { dir, cleanup } = tempDir('ecomdw-fact-rebuild-');
  const lake = path.join(dir, 'lake');
  const db = path.join(dir, 'w.duckdb');
  const facts = new Map<string, ItemFact[]>();

  beforeAll(async () => {
    writeLake(lake, BATCHES, 'csv');
    for (const { batchId } of BATCHES) {
      const summary = await runPipeline({ lakeDir: lake, dbPath: db, config: TEST_CONFIG, batchId });
      expect(summary.failure?.message ?? null).toBeNull();
      const rows = await queryDuckDb(
        db,
        `select f.order_id, f.line_number::integer as line_number, c.customer_id, strftime(p.valid_from, '%Y-%m-%d') as product_valid_from,
            f.unit_cost::double as unit_cost, f.margin::double as margin, f.order_status, s.status_code as shipment_status,
            m.payment_method_code as payment_method, f.batch_id
         from dw.fact_order_items as f
         join dw.dim_customers as c on c.customer_sk = f.customer_sk
         join dw.dim_products as p on p.product_sk = f.product_sk
         join dw.dim_shipment_status as s on s.shipment_status_key = f.shipment_status_key
         join dw.dim_payment_methods as m on m.payment_method_key = f.payment_method_key
         order by f.order_id, f.line_number`,
      );
      facts.set(batchId, rows as unknown as ItemFact[]);
    }
  });
  afterAll(() => cleanup());

  it('take the new status, customer and shipment, keep every per-item value, and leave untouched orders alone', () => {
    // Assess
    const o1 = { customer_id: 'C2', product_valid_from: '1900-01-01', unit_cost: 10, order_status: 'shipped', shipment_status: 'in_transit', payment_method: 'paypal', batch_id: '2024-01-21' };
    expect(facts.get('2024-01-21')).toEqual([
      { order_id: 'O1', line_number: 1, ...o1, margin: 40 },
      { order_id: 'O1', line_number: 2, ...o1, margin: 20 },
      { order_id: 'O2', line_number: 1, customer_id: 'C1', product_valid_from: '1900-01-01', unit_cost: 10, margin: 20, order_status: 'paid', shipment_status: 'unknown', payment_method: 'unknown', batch_id: '2024-01-20' },
    ]);
  });

  it('are built again when the order’s time moves: the product version and cost valid at the new time', () => {
    // Assess
    const o1 = { customer_id: 'C2', product_valid_from: '2024-01-10', unit_cost: 12, order_status: 'shipped', shipment_status: 'in_transit', payment_method: 'paypal', batch_id: '2024-01-22' };
    expect(facts.get('2024-01-22')?.filter((f) => f.order_id === 'O1')).toEqual([
      { order_id: 'O1', line_number: 1, ...o1, margin: 36 },
      { order_id: 'O1', line_number: 2, ...o1, margin: 18 },
    ]);
  });
});
