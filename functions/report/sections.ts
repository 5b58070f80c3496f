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

/** The cells a section works out itself (percentages, averages, labels), by column name. */
type Computed = (r: Row) => ReportRow;

/**
 * A section whose rows have a cell per column, in column order: read from the
 * query's column of the same name by the column's type, except the cells that
 * `computed` gives; `computed` is made once per report from all the rows (a
 * share needs their total).
 */
function section(spec: Omit<SectionSpec, 'rows'> & { readonly computed?: (rows: readonly Row[]) => Computed }): SectionSpec {
  const { computed, ...rest } = spec;
  return {
    ...rest,
    rows: ({ rows }) => {
      const own = computed?.(rows);
      return rows.map((r) => {
        const worked = own?.(r) ?? {};
        return Object.fromEntries(spec.columns.map((c) => [c.name, Object.hasOwn(worked, c.name) ? (worked[c.name] ?? null) : cellOf(c, r[c.name])]));
      });
    },
  };
}

// A query's value as its column's type shows it: text and dates as text, counts whole, amounts to the cent.
function cellOf(column: Column, value: Cell): ReportRow[string] {
  switch (column.type) {
    case 'text':
    case 'date':
      return text(value);
    case 'integer':
      return whole(value);
    case 'amount':
      return amount(value);
    case 'hours':
      return rounded(value, 2);
    case 'percent':
      throw new Error(`report column ${column.name}: a percentage is worked out by its section (computed), never read as it is`);
  }
}

/** Every section, in report order. */
export const SECTIONS: readonly SectionSpec[] = [
  section({
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
    computed: () => (r) => ({ margin_pct: marginPct(r) }),
  }),
  section({
    id: 'payment_channels',
    title: 'Payment channels',
    description: 'Payments by paid date, per payment channel, exactly as paid (fact_payments; no attribution): share_pct of the amount.',
    columns: [
      col('payment_channel', 'channel', 'text'),
      col('payments', 'payments', 'integer'),
      col('amount', 'amount', 'amount'),
      col('share_pct', 'share %', 'percent'),
    ],
    computed: (rows) => {
      const total = exactSum(rows.map((r) => r.amount));
      return (r) => ({ share_pct: percent(r.amount, total) });
    },
  }),
  section({
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
    computed: (rows) => {
      const total = exactSum(rows.map((r) => r.revenue));
      return (r) => ({ margin_pct: marginPct(r), share_pct: percent(r.revenue, total) });
    },
  }),
  section({
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
  }),
  section({
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
    computed: () => (r) => ({ lifetime_value: average(r.cumulative_revenue, r.cohort_customers) }),
  }),
  section({
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
    computed: () => (r) => ({
      delivered_pct: percent(r.delivered_orders, r.orders),
      avg_placed_to_paid_hours: average(r.placed_to_paid_hours_sum, r.placed_to_paid_count),
      avg_placed_to_shipped_hours: average(r.placed_to_shipped_hours_sum, r.placed_to_shipped_count),
      avg_shipped_to_delivered_hours: average(r.shipped_to_delivered_hours_sum, r.shipped_to_delivered_count),
      avg_placed_to_delivered_hours: average(r.placed_to_delivered_hours_sum, r.placed_to_delivered_count),
    }),
  }),
  section({
    id: 'fulfillment_lags',
    title: 'Fulfillment lag distribution',
    description: 'How many orders of the period took how long between two milestones, in hour buckets; share_pct within the lag.',
    columns: [
      col('lag', 'lag', 'text'),
      col('bucket', 'hours', 'text'),
      col('orders', 'orders', 'integer'),
      col('share_pct', 'share %', 'percent'),
    ],
    computed: (rows) => {
      const perLag = new Map<string, number>();
      for (const r of rows) perLag.set(String(r.lag), (perLag.get(String(r.lag)) ?? 0) + Number(r.orders));
      return (r) => ({ bucket: LAG_BUCKETS[Number(r.bucket_order)] ?? null, share_pct: percent(r.orders, perLag.get(String(r.lag)) ?? 0) });
    },
  }),
  section({
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
    computed: (rows) => {
      const all = rows.find((r) => Number(r.size_order) === 99);
      return (r) => ({
        basket_size: BASKET_SIZES[Number(r.size_order)] ?? String(r.size_order),
        share_pct: percent(r.orders, all?.orders ?? null),
        items_per_order: average(r.items, r.orders),
        units_per_order: average(r.units, r.orders),
        average_order_value: average(r.revenue, r.orders),
      });
    },
  }),
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
  section({
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
    computed: () => (r) => ({ loaded_at: text(r.loaded_at)?.slice(0, 19) ?? null, quarantine_pct: percent(r.quarantined_rows, r.raw_rows) }),
  }),
  section({
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
    computed: () => (r) => ({ quarantine_pct: percent(r.quarantined_rows, r.raw_rows) }),
  }),
  section({
    id: 'freshness',
    title: 'Data health: freshness',
    description: "Per source table, the newest change received and how old it was when this report's load finished (never the clock).",
    columns: [
      col('table_name', 'table', 'text'),
      col('newest_change_at', 'newest change (UTC)', 'text'),
      col('age_hours', 'age at load (h)', 'hours'),
    ],
    // age_hours is filled by the report, which knows the load's time.
    // age_hours is filled by the report, which knows the load's time.
    computed: () => (r) => ({ newest_change_at: text(r.newest_change_at)?.slice(0, 19) ?? null, age_hours: null }),
  }),
  section({
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
  }),
];

// margin as a share of the revenue whose cost is known
function marginPct(r: Row): number | null {
  return r.margin === null || r.margin === undefined ? null : percent(r.margin, exactDifference(r.revenue, r.revenue_without_cost));
}
