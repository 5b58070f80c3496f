import { writeRaw } from './tempLake.js';

const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;

const HEADERS = {
  customers: 'customer_id,email,first_name,last_name,city,state,country,segment,updated_at,is_deleted',
  products: 'product_id,sku,name,category,brand,list_price,unit_cost,updated_at,is_deleted',
  orders: 'order_id,customer_id,order_ts,status,currency,updated_at',
  order_items: 'order_id,line_number,product_id,quantity,unit_price,discount_amount,shipping_amount,updated_at,is_deleted',
  payments: 'payment_id,order_id,payment_method,amount,paid_at,updated_at',
  shipments: 'shipment_id,order_id,status,carrier,shipped_at,delivered_at,updated_at',
} as const;

type Table = keyof typeof HEADERS;

/** The rows of the three batches, per table (CSV lines without the header). */
export const CRASH_LAKE_ROWS: Readonly<Record<string, Partial<Record<Table, readonly string[]>>>> = {
  b1: {
    customers: [
      'c1,ana@example.com,Ana,Lopez,Madrid,MD,ES,consumer,2024-01-01T08:00:00Z,',
      'c2,bo@example.com,Bo,Berg,Oslo,OS,NO,corporate,2024-01-01T08:00:00Z,',
    ],
    products: [
      'p1,SKU-1,Kettle,kitchen,Acme,30.00,12.00,2024-01-01T07:00:00Z,',
      'p2,SKU-2,Teapot,kitchen,Acme,20.00,7.00,2024-01-01T07:00:00Z,',
    ],
    orders: [
      'o1,c1,2024-01-01T12:00:00Z,paid,EUR,2024-01-01T12:00:00Z',
      'o2,c2,2024-01-01T13:00:00Z,paid,EUR,2024-01-01T13:00:00Z',
    ],
    order_items: [
      'o1,1,p1,2,30.00,5.00,4.50,2024-01-01T12:00:00Z,',
      'o1,2,p2,1,20.00,0,0,2024-01-01T12:00:00Z,',
      'o2,1,p1,1,30.00,0,3.00,2024-01-01T13:00:00Z,',
    ],
    payments: ['y1,o1,credit_card,79.50,2024-01-01T12:01:00Z,', 'y2,o2,paypal,33.00,2024-01-01T13:01:00Z,'],
    shipments: ['s1,o1,shipped,dhl,2024-01-01T18:00:00Z,,2024-01-01T18:00:00Z'],
  },
  // Late changes that re-point facts of orders b2 does not touch (c1 and p1 before
  // o1's order_ts), an early-arriving customer (c9, inferred), items and a payment
  // whose order has not arrived (o4), an unseen payment method.
  b2: {
    customers: ['c1,ana@example.com,Ana,Lopez,Toledo,CM,ES,consumer,2024-01-01T10:00:00Z,'],
    products: ['p1,SKU-1,Kettle,kitchen,Acme,30.00,11.00,2024-01-01T09:00:00Z,'],
    orders: ['o3,c9,2024-01-02T09:00:00Z,paid,EUR,2024-01-02T09:00:00Z'],
    order_items: ['o3,1,p2,3,20.00,0,2.00,2024-01-02T09:00:00Z,', 'o4,1,p1,1,30.00,0,0,2024-01-02T11:00:00Z,'],
    payments: ['y3,o3,boleto,62.00,2024-01-02T09:05:00Z,', 'y4,o4,credit_card,30.00,2024-01-02T11:05:00Z,'],
    shipments: ['s1,o1,delivered,dhl,2024-01-01T18:00:00Z,2024-01-02T09:00:00Z,2024-01-02T09:00:00Z'],
  },
  // The inferred customer's real rows (dated before o3), the waiting order, a deleted
  // item, a customer deleted, a product change after every order; nothing of o1 or o2,
  // so what b2 changed for them must be right when b2 is done.
  b3: {
    customers: [
      'c9,cy@example.com,Cy,Diaz,Lima,LI,PE,consumer,2024-01-01T00:00:00Z,',
      'c2,bo@example.com,Bo,Berg,Oslo,OS,NO,corporate,2024-01-03T08:00:00Z,true',
    ],
    products: ['p2,SKU-2,Teapot,kitchen,Acme,22.00,7.50,2024-01-03T07:00:00Z,'],
    orders: ['o4,c1,2024-01-02T11:00:00Z,shipped,EUR,2024-01-03T08:00:00Z'],
    order_items: ['o3,1,p2,3,20.00,0,2.00,2024-01-03T08:00:00Z,true', 'o3,2,p1,1,30.00,0,0,2024-01-03T08:00:00Z,'],
    payments: ['y5,o3,gift_card,10.00,2024-01-03T09:00:00Z,'],
    shipments: ['s2,o4,shipped,ups,2024-01-03T10:00:00Z,,2024-01-03T10:00:00Z'],
  },
};

/** The batch ids of the crash lake, in processing order. */
export const CRASH_LAKE_BATCHES = Object.keys(CRASH_LAKE_ROWS).sort();

/**
 * A tiny hand-written lake of three batches whose later batches change what
 * earlier facts point at: what a crash between steps can get wrong.
 */
export function writeCrashLake(lake: string): void {
  for (const [batchId, tables] of Object.entries(CRASH_LAKE_ROWS)) {
    for (const [table, rows] of Object.entries(tables) as [Table, readonly string[]][]) {
      writeRaw(lake, table, batchId, `${table}.csv`, csv(HEADERS[table], ...rows));
    }
  }
}
