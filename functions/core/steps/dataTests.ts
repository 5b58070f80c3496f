import { SOURCE_TABLES } from '../contract.js';
import type { PipelineConfig } from '../config.js';

export type Severity = 'error' | 'warn';

/** One data-quality test: a query under sql/tests/ returning one `failure_key` per failing row. */
export interface DataTest {
  readonly name: string;
  readonly model: string;
  readonly severity: Severity;
  readonly file: string;
  readonly params?: Readonly<Record<string, string | number>>;
  /** Reads whole tables, not the batch's rows: run by `ecomdw validate` only, so a batch's cost follows the batch. */
  readonly wholeWarehouseOnly?: boolean;
}

/** Which run the suite is for: a batch (scoped to its rows), or `ecomdw validate` over everything. */
export interface SuiteScope {
  readonly wholeWarehouse?: boolean;
}

const test = (model: string, name: string, severity: Severity, file = `${model}_${name}.sql`): DataTest => ({
  name: `${model}.${name}`,
  model,
  severity,
  file: `tests/${file}`,
});

/**
 * The marts (sql/marts/), each reconciled to the facts by
 * sql/tests/mart_<name>_reconciliation.sql; all but mart.sales aggregate whole
 * tables, so a batch checks the rows they are built from instead (known.*).
 */
const MARTS = ['sales', 'orders', 'revenue_daily', 'product_profitability', 'customer_lifetime_value', 'customer_cohorts', 'fulfillment_daily', 'basket_daily'] as const;

/**
 * Whether a test checks the reporting layer (the marts and known.*): a batch runs
 * these because BuildMarts wrote that layer, so the bench counts them with its cost.
 */
export function isReportingLayerTest(name: string): boolean {
  return name.startsWith('mart.') || name.startsWith('known.');
}

/** The built-in suite (SPEC section 5); freshness tests follow the configured thresholds. */
export function dataTests(config: PipelineConfig, scope: SuiteScope = {}): DataTest[] {
  const builtIn: DataTest[] = [
    test('dim_customers', 'unique_sk', 'error'),
    test('dim_customers', 'not_null', 'error'),
    test('dim_customers', 'scd2_tiling', 'error'),
    test('dim_customers', 'accepted_segments', 'warn'),
    test('dim_products', 'unique_sk', 'error'),
    test('dim_products', 'not_null', 'error'),
    test('dim_products', 'scd2_tiling', 'error'),
    test('dim_payment_methods', 'accepted_values', 'warn'),
    test('dim_shipment_status', 'accepted_values', 'warn'),
    test('fact_order_items', 'unique', 'error'),
    test('fact_order_items', 'relationships', 'error'),
    test('fact_order_items', 'point_in_time', 'error'),
    test('fact_order_items', 'accepted_order_status', 'warn'),
    test('fact_payments', 'unique', 'error'),
    test('fact_payments', 'relationships', 'error'),
    test('fact_payments', 'point_in_time', 'error'),
    test('fact_order_fulfillment', 'unique', 'error'),
    test('fact_order_fulfillment', 'point_in_time', 'error'),
    test('fact_order_items', 'reconciliation_item_revenue', 'error', 'reconciliation_item_revenue.sql'),
    test('fact_payments', 'reconciliation_payments', 'error', 'reconciliation_payments.sql'),
    test('fact_order_fulfillment', 'reconciliation_fulfillment', 'error', 'reconciliation_fulfillment.sql'),
    test('audit', 'conservation', 'error', 'reconciliation_conservation.sql'),
    test('known.orders', 'reconciliation', 'error', 'known_orders_reconciliation.sql'),
    test('known.payments', 'reconciliation', 'error', 'known_payments_reconciliation.sql'),
    test('known.daily_figures', 'reconciliation', 'error', 'daily_figures_reconciliation.sql'),
    ...MARTS.map((mart) => ({
      ...test(`mart.${mart}`, 'reconciliation', 'error', `mart_${mart}_reconciliation.sql`),
      wholeWarehouseOnly: mart !== 'sales',
    })),
    test('history', 'waiting_rows', 'warn', 'waiting_rows.sql'),
    test('history', 'conflicting_rows', 'warn', 'conflicting_rows.sql'),
  ];
  const suite = builtIn.filter((t) => scope.wholeWarehouse === true || t.wholeWarehouseOnly !== true);
  for (const table of SOURCE_TABLES) {
    const { warnAfterHours, errorAfterHours } = config.freshness[table];
    for (const [severity, hours] of [['warn', warnAfterHours], ['error', errorAfterHours]] as const) {
      if (hours === null) continue;
      suite.push({
        ...test(table, `freshness_${severity}`, severity, 'source_freshness.sql'),
        params: { table_name: table, threshold_hours: hours },
      });
    }
  }
  return suite;
}
