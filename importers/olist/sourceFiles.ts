/**
 * The Kaggle Olist files the importer reads (olistbr/brazilian-ecommerce), and
 * the columns of each that the mapping uses. Other files of the dataset
 * (sellers, reviews, geolocation) and other columns have no counterpart in the
 * source contract; README "Real data: Olist" lists them.
 */

export interface OlistSourceFile {
  /** The file name as Kaggle publishes it. */
  readonly file: string;
  /** The DuckDB table the importer loads it into. */
  readonly table: string;
  /** The columns the mapping reads; every one must be in the header. */
  readonly columns: readonly string[];
}

export const OLIST_FILES = [
  {
    file: 'olist_orders_dataset.csv',
    table: 'olist_orders',
    columns: [
      'order_id',
      'customer_id',
      'order_status',
      'order_purchase_timestamp',
      'order_approved_at',
      'order_delivered_carrier_date',
      'order_delivered_customer_date',
    ],
  },
  {
    file: 'olist_order_items_dataset.csv',
    table: 'olist_order_items',
    columns: ['order_id', 'order_item_id', 'product_id', 'price', 'freight_value'],
  },
  {
    file: 'olist_order_payments_dataset.csv',
    table: 'olist_order_payments',
    columns: ['order_id', 'payment_sequential', 'payment_type', 'payment_value'],
  },
  {
    file: 'olist_customers_dataset.csv',
    table: 'olist_customers',
    columns: ['customer_id', 'customer_unique_id', 'customer_city', 'customer_state'],
  },
  {
    file: 'olist_products_dataset.csv',
    table: 'olist_products',
    columns: ['product_id', 'product_category_name'],
  },
  {
    file: 'product_category_name_translation.csv',
    table: 'olist_category_translation',
    columns: ['product_category_name', 'product_category_name_english'],
  },
] as const satisfies readonly OlistSourceFile[];

/** Olist timestamps: local wall-clock time without a zone, e.g. `2017-10-02 10:56:33`. */
export const OLIST_TIMESTAMP_FORMAT = '%Y-%m-%d %H:%M:%S';
