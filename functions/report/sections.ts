import type { Row } from '../core/engine/types.js';
import { average, exactDifference, exactSum, percent, rounded, whole } from './numbers.js';
import { explainRestatements } from './restatements.js';
import type { Column, ColumnType, Grain, ReportRow, SectionId } from './types.js';

/** What a section's rows are turned from: its query's rows and the report's settings. */
export interface SectionInput {
  readonly rows: readonly Row[];
  readonly grain: Grain;
}

/** One report section: its query (sql/report/<id>.sql), its columns and how rows are derived. */
export interface SectionSpec {
  readonly id: SectionId;
  readonly title: string;
  readonly description: string;
  readonly columns: readonly Column[];
  readonly rows: (input: SectionInput) => ReportRow[];
}

const col = (name: string, label: string, type: ColumnType): Column => ({ name, label, type });
type Cell = Row[string] | undefined;
const amount = (value: Cell) => rounded(value, 2);
const text = (value: Cell) => (value === null || value === undefined ? null : String(value));

/** The hour buckets of fulfillment_lags.sql, by bucket_order. */
export const LAG_BUCKETS = ['< 0 h', '0-24 h', '24-48 h', '48-72 h', '72-120 h', '120-168 h', '>= 168 h'] as const;
/** Basket sizes of basket.sql, by size_order (99: every basket). */
const BASKET_SIZES: Readonly<Record<number, string>> = { 1: '1 item', 2: '2 items', 3: '3 items', 4: '4 items', 5: '5+ items', 99: 'all baskets' };

/** Every section, in report order. */
export const SECTIONS: readonly SectionSpec[] = [
  {
    id: 'revenue_trend',
    title: 'Revenue and margin trend',
    description:
      'Per period of order dates: orders with items, their items (lines) and units. net_revenue is booked revenue (every live item, any order status); cancelled_revenue and ' +
      'returned_revenue are the part of it whose order was cancelled or returned; revenue = net_revenue - cancelled - returned ' +
      '(recognized). cost, margin and margin_pct cover recognized items with a known cost (margin_pct of their revenue); ' +
      'revenue_without_cost is recognized revenue whose cost is unknown. revenue_as_was and margin_as_was are the same ' +
      'period as published at the comparison load (as-was, beside the restated figures).',
    columns: [
      col('period_start', 'period', 'date'),
      col('orders', 'orders', 'integer'),
      col('items', 'items', 'integer'),
      col('units', 'units', 'integer'),
      col('net_revenue', 'booked', 'amount'),
      col('cancelled_revenue', 'cancelled', 'amount'),
      col('returned_revenue', 'returned', 'amount'),
      col('revenue', 'revenue', 'amount'),
      col('cost', 'cost', 'amount'),
      col('margin', 'margin', 'amount'),
      col('margin_pct', 'margin %', 'percent'),
      col('revenue_without_cost', 'no cost', 'amount'),
      col('revenue_as_was', 'revenue as was', 'amount'),
      col('margin_as_was', 'margin as was', 'amount'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        period_start: text(r.period_start),
        orders: whole(r.orders),
        items: whole(r.items),
        units: whole(r.units),
        net_revenue: amount(r.net_revenue),
        cancelled_revenue: amount(r.cancelled_revenue),
        returned_revenue: amount(r.returned_revenue),
        revenue: amount(r.revenue),
        cost: amount(r.cost),
        margin: amount(r.margin),
        margin_pct: marginPct(r),
        revenue_without_cost: amount(r.revenue_without_cost),
        revenue_as_was: amount(r.revenue_as_was),
        margin_as_was: amount(r.margin_as_was),
      })),
  },
  {
    id: 'payment_channels',
    title: 'Payment channels',
    description: 'Payments by paid date, per payment channel, exactly as paid (fact_payments; no attribution): share_pct of the amount.',
    columns: [
      col('payment_channel', 'channel', 'text'),
      col('payments', 'payments', 'integer'),
      col('amount', 'amount', 'amount'),
      col('share_pct', 'share %', 'percent'),
    ],
    rows: ({ rows }) => {
      const total = exactSum(rows.map((r) => r.amount));
      return rows.map((r) => ({
        payment_channel: text(r.payment_channel),
        payments: whole(r.payments),
        amount: amount(r.amount),
        share_pct: percent(r.amount, total),
      }));
    },
  },
  {
    id: 'categories',
    title: 'Categories',
    description:
      'Recognized revenue and margin per product category, the category chosen by the attribution (at purchase, now, or at a date). ' +
      'margin_pct of the revenue of items with a known cost; share_pct of all recognized revenue.',
    columns: [
      col('category', 'category', 'text'),
      col('items', 'items', 'integer'),
      col('units', 'units', 'integer'),
      col('net_revenue', 'booked', 'amount'),
      col('revenue', 'revenue', 'amount'),
      col('cost', 'cost', 'amount'),
      col('margin', 'margin', 'amount'),
      col('margin_pct', 'margin %', 'percent'),
      col('share_pct', 'share %', 'percent'),
    ],
    rows: ({ rows }) => {
      const total = exactSum(rows.map((r) => r.revenue));
      return rows.map((r) => ({
        category: text(r.category),
        items: whole(r.items),
        units: whole(r.units),
        net_revenue: amount(r.net_revenue),
        revenue: amount(r.revenue),
        cost: amount(r.cost),
        margin: amount(r.margin),
        margin_pct: marginPct(r),
        share_pct: percent(r.revenue, total),
      }));
    },
  },
  {
    id: 'geography_segments',
    title: 'Geography and segments',
    description:
      'Orders (with items), customers, recognized revenue and margin per customer segment, state and city, chosen by the ' +
      'attribution: the customer as they were at purchase, as they are now, or as they were at a date.',
    columns: [
      col('dimension', 'by', 'text'),
      col('slice_value', 'value', 'text'),
      col('customers', 'customers', 'integer'),
      col('orders', 'orders', 'integer'),
      col('revenue', 'revenue', 'amount'),
      col('margin', 'margin', 'amount'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        dimension: text(r.dimension),
        slice_value: text(r.slice_value),
        customers: whole(r.customers),
        orders: whole(r.orders),
        revenue: amount(r.revenue),
        margin: amount(r.margin),
      })),
  },
  {
    id: 'cohorts',
    title: 'Customer cohorts',
    description:
      'Customers grouped by the month of their first order (any status), cohorts starting in the period; per month since, the ' +
      'active customers, their orders and recognized revenue, and the lifetime value per cohort customer to that month.',
    columns: [
      col('cohort_month', 'cohort', 'date'),
      col('months_since_first_order', 'month', 'integer'),
      col('cohort_customers', 'customers', 'integer'),
      col('active_customers', 'active', 'integer'),
      col('orders', 'orders', 'integer'),
      col('revenue', 'revenue', 'amount'),
      col('lifetime_value', 'LTV / customer', 'amount'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        cohort_month: text(r.cohort_month),
        months_since_first_order: whole(r.months_since_first_order),
        cohort_customers: whole(r.cohort_customers),
        active_customers: whole(r.active_customers),
        orders: whole(r.orders),
        revenue: amount(r.revenue),
        lifetime_value: average(r.cumulative_revenue, r.cohort_customers),
      })),
  },
  {
    id: 'fulfillment',
    title: 'Fulfillment',
    description:
      'Per period of order dates: orders and how many were paid, shipped, delivered, cancelled and returned; average hours between ' +
      'milestones over the orders that reached both; median and 90th percentile of placed -> delivered.',
    columns: [
      col('period_start', 'period', 'date'),
      col('orders', 'orders', 'integer'),
      col('paid_orders', 'paid', 'integer'),
      col('shipped_orders', 'shipped', 'integer'),
      col('delivered_orders', 'delivered', 'integer'),
      col('cancelled_orders', 'cancelled', 'integer'),
      col('returned_orders', 'returned', 'integer'),
      col('delivered_pct', 'delivered %', 'percent'),
      col('avg_placed_to_paid_hours', 'h to pay', 'hours'),
      col('avg_placed_to_shipped_hours', 'h to ship', 'hours'),
      col('avg_shipped_to_delivered_hours', 'h in transit', 'hours'),
      col('avg_placed_to_delivered_hours', 'h to deliver', 'hours'),
      col('median_placed_to_delivered_hours', 'median h', 'hours'),
      col('p90_placed_to_delivered_hours', 'p90 h', 'hours'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        period_start: text(r.period_start),
        orders: whole(r.orders),
        paid_orders: whole(r.paid_orders),
        shipped_orders: whole(r.shipped_orders),
        delivered_orders: whole(r.delivered_orders),
        cancelled_orders: whole(r.cancelled_orders),
        returned_orders: whole(r.returned_orders),
        delivered_pct: percent(r.delivered_orders, r.orders),
        avg_placed_to_paid_hours: average(r.placed_to_paid_hours_sum, r.placed_to_paid_count),
        avg_placed_to_shipped_hours: average(r.placed_to_shipped_hours_sum, r.placed_to_shipped_count),
        avg_shipped_to_delivered_hours: average(r.shipped_to_delivered_hours_sum, r.shipped_to_delivered_count),
        avg_placed_to_delivered_hours: average(r.placed_to_delivered_hours_sum, r.placed_to_delivered_count),
        median_placed_to_delivered_hours: rounded(r.median_placed_to_delivered_hours, 2),
        p90_placed_to_delivered_hours: rounded(r.p90_placed_to_delivered_hours, 2),
      })),
  },
  {
    id: 'fulfillment_lags',
    title: 'Fulfillment lag distribution',
    description: 'How many orders of the period took how long between two milestones, in hour buckets; share_pct within the lag.',
    columns: [
      col('lag', 'lag', 'text'),
      col('bucket', 'hours', 'text'),
      col('orders', 'orders', 'integer'),
      col('share_pct', 'share %', 'percent'),
    ],
    rows: ({ rows }) => {
      const perLag = new Map<string, number>();
      for (const r of rows) perLag.set(String(r.lag), (perLag.get(String(r.lag)) ?? 0) + Number(r.orders));
      return rows.map((r) => ({
        lag: text(r.lag),
        bucket: LAG_BUCKETS[Number(r.bucket_order)] ?? null,
        orders: whole(r.orders),
        share_pct: percent(r.orders, perLag.get(String(r.lag)) ?? 0),
      }));
    },
  },
  {
    id: 'basket',
    title: 'Basket',
    description:
      'Baskets (orders of the period with items, neither cancelled nor returned) by number of items (lines): share of baskets, units ' +
      'per basket and average order value (recognized revenue per basket).',
    columns: [
      col('basket_size', 'size', 'text'),
      col('orders', 'baskets', 'integer'),
      col('share_pct', 'share %', 'percent'),
      col('items_per_order', 'items / basket', 'hours'),
      col('units_per_order', 'units / basket', 'hours'),
      col('average_order_value', 'order value', 'amount'),
    ],
    rows: ({ rows }) => {
      const all = rows.find((r) => Number(r.size_order) === 99);
      return rows.map((r) => ({
        basket_size: BASKET_SIZES[Number(r.size_order)] ?? String(r.size_order),
        orders: whole(r.orders),
        share_pct: percent(r.orders, all?.orders ?? null),
        items_per_order: average(r.items, r.orders),
        units_per_order: average(r.units, r.orders),
        average_order_value: average(r.revenue, r.orders),
      }));
    },
  },
  {
    id: 'restatements',
    title: 'Restatements',
    description:
      'Published figures (revenue, margin and payments per date; in total and per payment channel, category, segment and city at ' +
      'purchase) that had a value at the comparison load and hold another now, per period, with the change rows behind each move.',
    columns: [
      col('period_start', 'period', 'date'),
      col('measure', 'measure', 'text'),
      col('slice_kind', 'slice', 'text'),
      col('slice_value', 'value', 'text'),
      col('old_value', 'was', 'amount'),
      col('new_value', 'now', 'amount'),
      col('change', 'change', 'amount'),
      col('causes', 'why', 'text'),
      col('explanation', 'in words', 'text'),
    ],
    rows: ({ rows, grain }) => explainRestatements(rows, grain),
  },
  {
    id: 'data_health',
    title: 'Data health: loads',
    description:
      'The latest loads up to this one: rows received and quarantined, tests passed / warned / failed, warnings (conflicting rows), ' +
      'report versions written and figures restated. A load without loaded_at is a failed attempt.',
    columns: [
      col('load_seq', 'load', 'integer'),
      col('batch_id', 'batch', 'text'),
      col('loaded_at', 'loaded at (UTC)', 'text'),
      col('raw_rows', 'rows in', 'integer'),
      col('quarantined_rows', 'quarantined', 'integer'),
      col('quarantine_pct', 'quar. %', 'percent'),
      col('tests_passed', 'passed', 'integer'),
      col('tests_warned', 'warned', 'integer'),
      col('tests_failed', 'failed', 'integer'),
      col('warnings', 'warnings', 'integer'),
      col('restatements', 'restated', 'integer'),
      col('run_id', 'run', 'text'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        load_seq: whole(r.load_seq),
        batch_id: text(r.batch_id),
        loaded_at: text(r.loaded_at)?.slice(0, 19) ?? null,
        raw_rows: whole(r.raw_rows),
        quarantined_rows: whole(r.quarantined_rows),
        quarantine_pct: percent(r.quarantined_rows, r.raw_rows),
        tests_passed: whole(r.tests_passed),
        tests_warned: whole(r.tests_warned),
        tests_failed: whole(r.tests_failed),
        warnings: whole(r.warnings),
        restatements: whole(r.restatements),
        run_id: text(r.run_id),
      })),
  },
  {
    id: 'quarantine',
    title: 'Data health: quarantine per table',
    description: 'Per load and source table: files, rows received, rows kept (silver) and quarantined.',
    columns: [
      col('load_seq', 'load', 'integer'),
      col('batch_id', 'batch', 'text'),
      col('table_name', 'table', 'text'),
      col('files', 'files', 'integer'),
      col('raw_rows', 'rows in', 'integer'),
      col('quarantined_rows', 'quarantined', 'integer'),
      col('quarantine_pct', 'quar. %', 'percent'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        load_seq: whole(r.load_seq),
        batch_id: text(r.batch_id),
        table_name: text(r.table_name),
        files: whole(r.files),
        raw_rows: whole(r.raw_rows),
        quarantined_rows: whole(r.quarantined_rows),
        quarantine_pct: percent(r.quarantined_rows, r.raw_rows),
      })),
  },
  {
    id: 'freshness',
    title: 'Data health: freshness',
    description: "Per source table, the newest change received and how old it was when this report's load finished (never the clock).",
    columns: [
      col('table_name', 'table', 'text'),
      col('newest_change_at', 'newest change (UTC)', 'text'),
      col('age_hours', 'age at load (h)', 'hours'),
    ],
    // age_hours is filled by the report, which knows the load's time.
    rows: ({ rows }) =>
      rows.map((r) => ({ table_name: text(r.table_name), newest_change_at: text(r.newest_change_at)?.slice(0, 19) ?? null, age_hours: null })),
  },
  {
    id: 'warnings',
    title: 'Data health: tests that warned or failed',
    description: "The data-quality tests of this load's run that did not pass, with sample keys.",
    columns: [
      col('test_name', 'test', 'text'),
      col('severity', 'severity', 'text'),
      col('status', 'status', 'text'),
      col('failing_rows', 'rows', 'integer'),
      col('sample_keys', 'e.g.', 'text'),
    ],
    rows: ({ rows }) =>
      rows.map((r) => ({
        test_name: text(r.test_name),
        severity: text(r.severity),
        status: text(r.status),
        failing_rows: whole(r.failing_rows),
        sample_keys: text(r.sample_keys),
      })),
  },
];

// margin as a share of the revenue whose cost is known
function marginPct(r: Row): number | null {
  return r.margin === null || r.margin === undefined ? null : percent(r.margin, exactDifference(r.revenue, r.revenue_without_cost));
}
