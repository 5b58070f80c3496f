/**
 * Report documents shaped like `ecomdw report --format json` (the report
 * builder's sections, columns and row types), made up from a seed, for the HTML
 * renderer's tests and benchmark: any size (a scale-10-like warehouse has ~60
 * months, a 60x60 cohort triangle, hundreds of restatements), any names
 * (hostile ones included), without building a warehouse first.
 */
import type { Column, ColumnType, ReportDocument, ReportRow, ReportSection } from '../../functions/report/html/document.js';

export interface SampleOptions {
  seed?: number;
  /** Trend periods (months from 2021-01). */
  months?: number;
  categories?: readonly string[];
  channels?: readonly string[];
  /** Cohorts (months from 2021-01); each has a row per month up to the last one. */
  cohorts?: number;
  restatements?: number;
  /** Loads in the data-health sections (the report's load is the last). */
  loads?: number;
  tables?: readonly string[];
  /** No comparison load: no as-was figures and no restatements. */
  firstLoad?: boolean;
}

const CATEGORIES = ['books', 'garden', 'grocery', 'home', 'pet_supplies', 'electronics', 'toys', 'beauty', 'sports', 'apparel'];
const CHANNELS = ['card', 'wallet', 'cash', 'voucher', 'bank', 'other'];
const TABLES = ['customers', 'order_items', 'orders', 'payments', 'products', 'shipments'];
const LAGS = ['placed_to_paid', 'placed_to_shipped', 'shipped_to_delivered', 'placed_to_delivered'];
const BUCKETS = ['< 0 h', '0-24 h', '24-48 h', '48-72 h', '72-120 h', '120-168 h', '>= 168 h'];

/** A deterministic document; the same options give the same document. */
export function sampleReportDocument(options: SampleOptions = {}): ReportDocument {
  const random = mulberry32(options.seed ?? 42);
  const months = options.months ?? 12;
  const categories = options.categories ?? CATEGORIES;
  const channels = options.channels ?? CHANNELS;
  const cohorts = options.cohorts ?? Math.min(months, 12);
  const loads = options.loads ?? 7;
  const tables = options.tables ?? TABLES;
  const firstLoad = options.firstLoad ?? false;
  const restatements = firstLoad ? 0 : (options.restatements ?? 30);
  const cents = (low: number, high: number) => Math.round((low + random() * (high - low)) * 100) / 100;
  const whole = (low: number, high: number) => Math.floor(low + random() * (high - low + 1));
  const period = (i: number) => monthStart(2021, i);

  const trend = range(months).map((i) => {
    const revenue = cents(400_000, 600_000);
    const margin = cents(150_000, 250_000);
    const published = !firstLoad && i < months - 1;
    return {
      period_start: period(i),
      orders: whole(1_000, 2_000),
      units: whole(4_000, 6_000),
      net_revenue: cents(600_000, 700_000),
      cancelled_revenue: cents(0, 20_000),
      returned_revenue: cents(0, 2_000),
      revenue,
      cost: cents(200_000, 300_000),
      margin,
      margin_pct: Math.round(random() * 500) / 10,
      revenue_without_cost: cents(0, 100),
      revenue_as_was: published ? (random() < 0.2 ? cents(400_000, 600_000) : revenue) : null,
      margin_as_was: published ? (random() < 0.2 ? cents(150_000, 250_000) : margin) : null,
    };
  });

  const paid = channels.map(() => cents(10_000, 2_000_000));
  const paidTotal = paid.reduce((a, b) => a + b, 0);
  const channelRows = channels.map((channel, i) => ({
    payment_channel: channel,
    payments: whole(100, 6_000),
    orders: whole(100, 6_000),
    amount: paid[i] as number,
    share_pct: Math.round(((paid[i] as number) * 1000) / paidTotal) / 10,
  }));

  const categoryRows = categories.map((category) => {
    const revenue = cents(50_000, 700_000);
    const margin = cents(-10_000, revenue / 2);
    return {
      category,
      orders: whole(100, 4_000),
      units: whole(100, 7_000),
      net_revenue: cents(revenue, revenue * 1.05),
      revenue,
      cost: cents(0, revenue),
      margin,
      margin_pct: Math.round((margin * 1000) / revenue) / 10,
      share_pct: Math.round(random() * 300) / 10,
    };
  });

  const cohortRows = range(cohorts).flatMap((c) => {
    const size = whole(200, 1_000);
    let cumulative = 0;
    const monthsSince = Math.max(cohorts, months) - c;
    return range(monthsSince).map((m) => {
      const active = m === 0 ? size : whole(0, Math.floor(size / (m + 1)));
      const revenue = cents(0, active * 400);
      cumulative += revenue;
      return {
        cohort_month: period(c),
        months_since_first_order: m,
        cohort_customers: size,
        active_customers: active,
        orders: whole(active, active * 2),
        revenue,
        lifetime_value: Math.round((cumulative * 100) / size) / 100,
      };
    });
  });

  const lagRows = LAGS.flatMap((lag) => {
    const counts = BUCKETS.map(() => (random() < 0.3 ? 0 : whole(1, 5_000)));
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    return BUCKETS.flatMap((bucket, b) =>
      (counts[b] as number) === 0 ? [] : [{ lag, bucket, orders: counts[b] as number, share_pct: Math.round(((counts[b] as number) * 1000) / total) / 10 }],
    );
  });

  const measures = ['revenue', 'margin', 'payments'];
  const slices: [string, string][] = [['total', 'all'], ...categories.map((c): [string, string] => ['category', c]), ...channels.map((c): [string, string] => ['payment_channel', c])];
  const restatementRows = range(restatements).map((i) => {
    const [sliceKind, sliceValue] = slices[i % slices.length] as [string, string];
    const measure = measures[Math.floor(i / slices.length) % measures.length] as string;
    const p = period(Math.floor(i / (slices.length * measures.length)) % Math.max(months - 1, 1));
    const oldValue = cents(1_000, 90_000);
    const change = Math.round((random() - 0.5) * 2 * cents(1, 40_000) * 100) / 100 || 0.01;
    const newValue = Math.round((oldValue + change) * 100) / 100;
    const slice = sliceKind === 'total' ? '' : ` for ${sliceKind.replace('_', ' ')} ${sliceValue}`;
    const causes = `${whole(1, 9)} back-dated product cost corrections (P0000${i})`;
    return {
      period_start: p,
      measure,
      slice_kind: sliceKind,
      slice_value: sliceValue,
      old_value: oldValue,
      new_value: newValue,
      change,
      causes,
      explanation: `${p} ${measure}${slice} ${change > 0 ? '+' : ''}${change.toFixed(2)} (was ${oldValue.toFixed(2)}, now ${newValue.toFixed(2)}): ${causes}`,
    };
  });

  const batch = (l: number) => `2026-${String(1 + Math.floor(l / 28)).padStart(2, '0')}-${String(1 + (l % 28)).padStart(2, '0')}`;
  const loadRows = range(loads).map((l) => {
    const raw = whole(8_000, 16_000);
    const quarantined = whole(0, 100);
    return {
      load_seq: l + 1,
      batch_id: batch(l),
      loaded_at: `${batch(l)} 06:00:00`,
      raw_rows: raw,
      quarantined_rows: quarantined,
      quarantine_pct: Math.round((quarantined * 1000) / raw) / 10,
      tests_passed: whole(20, 35),
      tests_warned: whole(0, 12),
      tests_failed: random() < 0.15 ? whole(1, 2) : 0,
      warnings: whole(0, 5),
      restatements: l === 0 ? 0 : whole(0, 300),
      run_id: `${batch(l)}-20260101T060000-abc${l}`,
    };
  });
  const quarantineRows = range(loads).flatMap((l) =>
    tables.map((table) => {
      const raw = whole(5, 4_000);
      const quarantined = whole(0, Math.min(raw, 40));
      return {
        load_seq: l + 1,
        batch_id: batch(l),
        table_name: table,
        files: whole(1, 3),
        raw_rows: raw,
        quarantined_rows: quarantined,
        quarantine_pct: Math.round((quarantined * 1000) / raw) / 10,
      };
    }),
  );
  const freshnessRows = tables.map((table) => ({ table_name: table, newest_change_at: `${batch(loads - 1)} 23:58:19`, age_hours: cents(1, 30) }));
  const warningRows = range(3).map((i) => ({
    test_name: `dim_${tables[i % tables.length]}.accepted_values`,
    severity: 'warn',
    status: 'warn',
    failing_rows: whole(1, 20),
    sample_keys: `K${i}1, K${i}2`,
  }));
  const geographyRows = [
    ...['consumer', 'small_business', 'corporate', 'vip'].map((v) => ({ dimension: 'segment', slice_value: v })),
    ...['TX', 'CA', 'CO', 'OR'].map((v) => ({ dimension: 'state', slice_value: v })),
  ].map((r) => ({ ...r, customers: whole(10, 700), orders: whole(100, 7_000), revenue: cents(10_000, 2_500_000), margin: cents(1_000, 1_000_000) }));
  const fulfillmentRows = trend.map((t) => ({
    period_start: t.period_start,
    orders: t.orders,
    paid_orders: t.orders - whole(0, 20),
    shipped_orders: t.orders - whole(20, 60),
    delivered_orders: t.orders - whole(60, 100),
    cancelled_orders: whole(0, 60),
    returned_orders: whole(0, 3),
    delivered_pct: Math.round(random() * 1000) / 10,
    avg_placed_to_paid_hours: cents(1, 3),
    avg_placed_to_shipped_hours: cents(20, 50),
    avg_shipped_to_delivered_hours: cents(30, 60),
    avg_placed_to_delivered_hours: cents(60, 110),
    median_placed_to_delivered_hours: cents(60, 110),
    p90_placed_to_delivered_hours: cents(100, 140),
  }));
  const basketRows = ['1 item', '2 items', '3 items', '4 items', '5+ items', 'all baskets'].map((size) => ({
    basket_size: size,
    orders: whole(100, 3_000),
    share_pct: Math.round(random() * 1000) / 10,
    items_per_order: cents(1, 5),
    units_per_order: cents(1, 7),
    average_order_value: cents(100, 600),
  }));

  const asOf = { loadSeq: loads, batchId: batch(loads - 1), runId: `${batch(loads - 1)}-20260101T060000-abc${loads - 1}`, loadedAt: `${batch(loads - 1)} 06:00:00` };
  const comparedWith = firstLoad || loads < 2 ? null : { loadSeq: loads - 1, batchId: batch(loads - 2), runId: `${batch(loads - 2)}-20260101T060000-abc${loads - 2}`, loadedAt: `${batch(loads - 2)} 06:00:00` };
  return {
    report: 'ecomdw',
    version: 1,
    asOf,
    comparedWith,
    parameters: { from: period(0), to: lastDay(period(months - 1)), grain: 'month', attribution: 'purchase' },
    sections: [
      section('revenue_trend', 'Revenue and margin trend', [
        ['period_start', 'period', 'date'],
        ['orders', 'orders', 'integer'],
        ['units', 'units', 'integer'],
        ['net_revenue', 'booked', 'amount'],
        ['cancelled_revenue', 'cancelled', 'amount'],
        ['returned_revenue', 'returned', 'amount'],
        ['revenue', 'revenue', 'amount'],
        ['cost', 'cost', 'amount'],
        ['margin', 'margin', 'amount'],
        ['margin_pct', 'margin %', 'percent'],
        ['revenue_without_cost', 'no cost', 'amount'],
        ['revenue_as_was', 'revenue as was', 'amount'],
        ['margin_as_was', 'margin as was', 'amount'],
      ], trend),
      section('payment_channels', 'Payment channels', [
        ['payment_channel', 'channel', 'text'],
        ['payments', 'payments', 'integer'],
        ['orders', 'orders', 'integer'],
        ['amount', 'amount', 'amount'],
        ['share_pct', 'share %', 'percent'],
      ], channelRows),
      section('categories', 'Categories', [
        ['category', 'category', 'text'],
        ['orders', 'orders', 'integer'],
        ['units', 'units', 'integer'],
        ['net_revenue', 'booked', 'amount'],
        ['revenue', 'revenue', 'amount'],
        ['cost', 'cost', 'amount'],
        ['margin', 'margin', 'amount'],
        ['margin_pct', 'margin %', 'percent'],
        ['share_pct', 'share %', 'percent'],
      ], categoryRows),
      section('geography_segments', 'Geography and segments', [
        ['dimension', 'by', 'text'],
        ['slice_value', 'value', 'text'],
        ['customers', 'customers', 'integer'],
        ['orders', 'orders', 'integer'],
        ['revenue', 'revenue', 'amount'],
        ['margin', 'margin', 'amount'],
      ], geographyRows),
      section('cohorts', 'Customer cohorts', [
        ['cohort_month', 'cohort', 'date'],
        ['months_since_first_order', 'month', 'integer'],
        ['cohort_customers', 'customers', 'integer'],
        ['active_customers', 'active', 'integer'],
        ['orders', 'orders', 'integer'],
        ['revenue', 'revenue', 'amount'],
        ['lifetime_value', 'LTV / customer', 'amount'],
      ], cohortRows),
      section('fulfillment', 'Fulfillment', [
        ['period_start', 'period', 'date'],
        ['orders', 'orders', 'integer'],
        ['paid_orders', 'paid', 'integer'],
        ['shipped_orders', 'shipped', 'integer'],
        ['delivered_orders', 'delivered', 'integer'],
        ['cancelled_orders', 'cancelled', 'integer'],
        ['returned_orders', 'returned', 'integer'],
        ['delivered_pct', 'delivered %', 'percent'],
        ['avg_placed_to_paid_hours', 'h to pay', 'hours'],
        ['avg_placed_to_shipped_hours', 'h to ship', 'hours'],
        ['avg_shipped_to_delivered_hours', 'h in transit', 'hours'],
        ['avg_placed_to_delivered_hours', 'h to deliver', 'hours'],
        ['median_placed_to_delivered_hours', 'median h', 'hours'],
        ['p90_placed_to_delivered_hours', 'p90 h', 'hours'],
      ], fulfillmentRows),
      section('fulfillment_lags', 'Fulfillment lag distribution', [
        ['lag', 'lag', 'text'],
        ['bucket', 'hours', 'text'],
        ['orders', 'orders', 'integer'],
        ['share_pct', 'share %', 'percent'],
      ], lagRows),
      section('basket', 'Basket', [
        ['basket_size', 'size', 'text'],
        ['orders', 'baskets', 'integer'],
        ['share_pct', 'share %', 'percent'],
        ['items_per_order', 'items / basket', 'hours'],
        ['units_per_order', 'units / basket', 'hours'],
        ['average_order_value', 'order value', 'amount'],
      ], basketRows),
      section('restatements', 'Restatements', [
        ['period_start', 'period', 'date'],
        ['measure', 'measure', 'text'],
        ['slice_kind', 'slice', 'text'],
        ['slice_value', 'value', 'text'],
        ['old_value', 'was', 'amount'],
        ['new_value', 'now', 'amount'],
        ['change', 'change', 'amount'],
        ['causes', 'why', 'text'],
        ['explanation', 'in words', 'text'],
      ], restatementRows),
      section('data_health', 'Data health: loads', [
        ['load_seq', 'load', 'integer'],
        ['batch_id', 'batch', 'text'],
        ['loaded_at', 'loaded at (UTC)', 'text'],
        ['raw_rows', 'rows in', 'integer'],
        ['quarantined_rows', 'quarantined', 'integer'],
        ['quarantine_pct', 'quar. %', 'percent'],
        ['tests_passed', 'passed', 'integer'],
        ['tests_warned', 'warned', 'integer'],
        ['tests_failed', 'failed', 'integer'],
        ['warnings', 'warnings', 'integer'],
        ['restatements', 'restated', 'integer'],
        ['run_id', 'run', 'text'],
      ], loadRows),
      section('quarantine', 'Data health: quarantine per table', [
        ['load_seq', 'load', 'integer'],
        ['batch_id', 'batch', 'text'],
        ['table_name', 'table', 'text'],
        ['files', 'files', 'integer'],
        ['raw_rows', 'rows in', 'integer'],
        ['quarantined_rows', 'quarantined', 'integer'],
        ['quarantine_pct', 'quar. %', 'percent'],
      ], quarantineRows),
      section('freshness', 'Data health: freshness', [
        ['table_name', 'table', 'text'],
        ['newest_change_at', 'newest change (UTC)', 'text'],
        ['age_hours', 'age at load (h)', 'hours'],
      ], freshnessRows),
      section('warnings', 'Data health: tests that warned or failed', [
        ['test_name', 'test', 'text'],
        ['severity', 'severity', 'text'],
        ['status', 'status', 'text'],
        ['failing_rows', 'rows', 'integer'],
        ['sample_keys', 'e.g.', 'text'],
      ], warningRows),
    ],
  };
}

/** A copy of the document with one section's rows replaced (or the section removed with `null`). */
export function withSection(document: ReportDocument, id: string, rows: readonly ReportRow[] | null): ReportDocument {
  const sections = rows === null ? document.sections.filter((s) => s.id !== id) : document.sections.map((s) => (s.id === id ? { ...s, rows: [...rows] } : s));
  return { ...document, sections };
}

/** The rows of one section of a document. */
export function sectionRows(document: ReportDocument, id: string): readonly ReportRow[] {
  const found = document.sections.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no section ${id}`);
  return found.rows;
}

function section(id: string, title: string, columns: readonly [string, string, ColumnType][], rows: readonly ReportRow[]): ReportSection {
  return {
    id,
    title,
    description: `${title}: made-up rows for the HTML renderer's tests.`,
    columns: columns.map(([name, label, type]): Column => ({ name, label, type })),
    rows: [...rows],
  };
}

function range(n: number): number[] {
  return Array.from({ length: Math.max(n, 0) }, (_, i) => i);
}

function monthStart(year: number, offset: number): string {
  const date = new Date(Date.UTC(year, offset, 1));
  return date.toISOString().slice(0, 10);
}

function lastDay(monthStartText: string): string {
  const [y, m] = monthStartText.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

// A small seeded generator: the same seed gives the same document on every machine.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
