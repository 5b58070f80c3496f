/**
 * The pipeline manifest: the SQL files each warehouse step runs, in order. The
 * steps run them; lineage, the profiler and the tests read them from here, so
 * shared code never imports a step to learn what it runs.
 */

/** The SQL files of step 4, in order. */
export const DIMENSION_FILES = [
  'dimensions/dim_customers.sql',
  'dimensions/dim_products.sql',
  'dimensions/dim_vocabulary.sql',
  'dimensions/dimension_metrics.sql',
] as const;

/** The SQL files of step 5, in order: latest records first, then the facts they feed. */
export const FACT_FILES = [
  'history/orders.sql',
  'history/order_items.sql',
  'history/payments.sql',
  'history/shipments.sql',
  'history/waiting_rows.sql',
  'facts/affected_orders.sql',
  'facts/fact_order_items.sql',
  'facts/fact_payments.sql',
  'facts/fact_metrics.sql',
] as const;

/**
 * The order lifecycle fact and the dim_date rows for the days the batch's facts
 * carry: a second transaction (the Data API caps one at 40 statements), idempotent
 * and read from durable state (history.batch_affected_orders), so a crash between
 * the two is repaired by running the step again.
 */
export const FACT_DAY_FILES = ['facts/fact_order_fulfillment.sql', 'facts/fact_days.sql', 'dimensions/dim_date.sql'] as const;

/**
 * The SQL files of the BuildMarts step, in order: the versions the batch changed
 * (dimensions, then facts), then the published figures and restatements that
 * read them, then the load's own record (it counts what the others wrote).
 */
export const MART_FILES = [
  'known/customers.sql',
  'known/products.sql',
  'known/orders.sql',
  'known/order_items.sql',
  'known/payments.sql',
  'known/daily_figures.sql',
  'known/load.sql',
] as const;

/**
 * The BI marts (schema mart): views over the current rows of known.*, replaced
 * by every bootstrap so that a new release's definitions take effect.
 */
export const MART_VIEWS = [
  'marts/sales.sql',
  'marts/orders.sql',
  'marts/revenue_daily.sql',
  'marts/product_profitability.sql',
  'marts/customer_lifetime_value.sql',
  'marts/customer_cohorts.sql',
  'marts/fulfillment_daily.sql',
  'marts/basket_daily.sql',
] as const;
