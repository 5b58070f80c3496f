import { queryDuckDb } from './tempLake.js';

/** The dw tables with the columns that define them (batch_id and load-time columns excluded), canonically ordered. */
export const DW_SNAPSHOT_QUERIES: Readonly<Record<string, string>> = {
  dim_customers: 'select * exclude (batch_id) from dw.dim_customers order by customer_id, valid_from',
  dim_products: 'select * exclude (batch_id) from dw.dim_products order by product_id, valid_from',
  dim_payment_methods: 'select * from dw.dim_payment_methods order by payment_method_code',
  dim_shipment_status: 'select * from dw.dim_shipment_status order by status_code',
  fact_order_items: 'select * exclude (batch_id) from dw.fact_order_items order by order_id, line_number',
  fact_payments: 'select * exclude (batch_id) from dw.fact_payments order by payment_id',
  fact_order_fulfillment: 'select * exclude (batch_id) from dw.fact_order_fulfillment order by order_id',
  dim_date_count: 'select count(*) as n, min(date_key) as first_key, max(date_key) as last_key from dw.dim_date',
};

/** Every dw table of a warehouse file, for comparing two warehouses. */
export async function snapshotDw(db: string): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(DW_SNAPSHOT_QUERIES)) snapshot[name] = await queryDuckDb(db, sql);
  return snapshot;
}
