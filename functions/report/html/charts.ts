/**
 * The report's charts as Vega-Lite specs, one builder per chart, each drawn from
 * the typed rows of one report section (chartRows.ts). The data is inline;
 * dates are parsed and drawn in UTC so that the machine's time zone never
 * changes a byte. The mark a reader counts (bars, points, cells) is named
 * `<chart id>` in each spec, which Vega writes as the class `<chart id>_marks`.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import { chartRows, type ChartedSection, type ChartRows } from './chartRows.js';
import type { Grain, ReportDocument } from './document.js';

/** One chart of the report: which section it sits in, what it says, how it is drawn. */
export interface ChartDefinition<K extends ChartedSection = ChartedSection> {
  /** Names the figure (`chart-<id>`) and the counted mark (`<id>_marks`). */
  readonly id: string;
  readonly section: K;
  readonly title: string;
  /** The spec and a caption, or null when the rows hold nothing to draw. */
  readonly draw: (rows: ChartRows<K>, document: ReportDocument) => DrawnChart | null;
}

/** A chart ready to render: its spec and the sentence under it. */
export interface DrawnChart {
  readonly spec: TopLevelSpec;
  readonly caption: string;
}

/** A chart of a document, ready to render. */
export interface PlannedChart extends DrawnChart {
  readonly id: string;
  readonly section: ChartedSection;
  readonly title: string;
}

/** How many categories and restatements the bar charts show (the tables list all). */
export const TOP_CATEGORIES = 25;
export const TOP_RESTATEMENTS = 20;

/** The hour buckets of the fulfillment lag distribution, in order (as the report builder names them). */
export const LAG_BUCKET_ORDER = ['< 0 h', '0-24 h', '24-48 h', '48-72 h', '72-120 h', '120-168 h', '>= 168 h'] as const;

const COLOR = {
  revenue: '#2563eb',
  margin: '#16a34a',
  up: '#16a34a',
  down: '#dc2626',
  passed: '#16a34a',
  warned: '#f59e0b',
  failed: '#dc2626',
  bar: '#2563eb',
} as const;
const LAG_COLORS = ['#2563eb', '#f59e0b', '#16a34a', '#9333ea', '#0891b2', '#db2777'];

// aria off: the tables beside the charts carry the figures for screen readers,
// and per-mark aria labels would triple the SVG's size and drawing time.
const CONFIG: Config = {
  aria: false,
  background: '#ffffff',
  // The page's stylesheet sets the real font family on SVG text; a short name keeps every <text> small.
  font: 'sans-serif',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    titleColor: '#4b5563',
    labelColor: '#374151',
    gridColor: '#e5e7eb',
    domainColor: '#9ca3af',
    tickColor: '#9ca3af',
  },
  legend: { orient: 'top', labelLimit: 260, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', symbolStrokeWidth: 2 },
};

/** Every chart, in the order the page shows them within their sections. */
export const CHARTS: readonly ChartDefinition[] = [
  chart('revenue_trend', 'revenue_trend', 'Revenue and margin: restated and as was', drawTrend),
  chart('payment_channels', 'payment_channels', 'Payments by channel', drawPaymentChannels),
  chart('category_profitability', 'categories', 'Category profitability', drawCategories),
  chart('cohort_retention', 'cohorts', 'Cohort retention', drawCohorts),
  chart('fulfillment_lags', 'fulfillment_lags', 'Fulfillment lag distribution', drawLags),
  chart('restatements', 'restatements', 'What moved since the comparison load', drawRestatements),
  chart('data_tests', 'data_health', 'Data tests per load', drawTests),
  chart('quarantine', 'quarantine', 'Quarantine per table and load', drawQuarantine),
  chart('freshness', 'freshness', 'Freshness per source table', drawFreshness),
];

// Keeps each definition's rows typed by its section.
function chart<K extends ChartedSection>(
  id: string,
  section: K,
  title: string,
  draw: (rows: ChartRows<K>, document: ReportDocument) => DrawnChart | null,
): ChartDefinition {
  return { id, section, title, draw } as unknown as ChartDefinition;
}

/** The charts a document has data for, in page order. */
export function planCharts(document: ReportDocument): PlannedChart[] {
  const planned: PlannedChart[] = [];
  for (const definition of CHARTS) {
    const rows = chartRows(document, definition.section);
    if (rows === undefined) continue;
    const drawn = definition.draw(rows, document);
    if (drawn !== null) planned.push({ id: definition.id, section: definition.section, title: definition.title, ...drawn });
  }
  return planned;
}

function spec(body: Record<string, unknown>): TopLevelSpec {
  return { config: CONFIG, ...body } as TopLevelSpec;
}

function loadText(load: { loadSeq: number; batchId: string }): string {
  return `load ${load.loadSeq} (batch ${load.batchId})`;
}

function dateFormat(grain: Grain): string {
  return grain === 'month' ? '%b %Y' : '%Y-%m-%d';
}

function drawTrend(rows: ChartRows<'revenue_trend'>, document: ReportDocument): DrawnChart | null {
  const now = 'restated';
  const was = 'as was';
  const series = [
    ['revenue', 'revenue', now],
    ['revenue', 'revenue_as_was', was],
    ['margin', 'margin', now],
    ['margin', 'margin_as_was', was],
  ] as const;
  const values = rows.flatMap((row) =>
    series.flatMap(([measure, field, version]) => (row[field] === null ? [] : [{ period: row.period_start, measure, version, value: row[field] }])),
  );
  if (values.length === 0) return null;
  const grain = document.parameters.grain;
  return {
    caption:
      `Recognized revenue and margin per ${grain}: solid lines as the warehouse knows them at ${loadText(document.asOf)}, ` +
      (document.comparedWith === null
        ? 'no earlier load to compare with.'
        : `dashed lines as published at ${loadText(document.comparedWith)}. Where the lines part, a figure was restated.`),
    spec: spec({
      width: 820,
      height: 260,
      data: { values, format: { parse: { period: "utc:'%Y-%m-%d'" } } },
      encoding: {
        x: { field: 'period', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: dateFormat(grain), labelAngle: 0, labelOverlap: true } },
        y: { field: 'value', type: 'quantitative', title: 'amount' },
        color: { field: 'measure', type: 'nominal', title: null, scale: { domain: ['revenue', 'margin'], range: [COLOR.revenue, COLOR.margin] } },
        strokeDash: { field: 'version', type: 'nominal', title: null, scale: { domain: [now, was], range: [[1, 0], [6, 4]] } },
      },
      layer: [
        { name: 'revenue_trend_line', mark: { type: 'line', strokeWidth: 2 } },
        { name: 'revenue_trend_point', mark: { type: 'point', filled: true, size: 24 }, encoding: { strokeDash: { value: [1, 0] } } },
      ],
    }),
  };
}

function drawPaymentChannels(rows: ChartRows<'payment_channels'>): DrawnChart | null {
  const values = rows
    .filter((row) => row.amount !== null)
    .map((row) => ({ channel: row.payment_channel ?? '(none)', amount: row.amount, share: row.share_pct === null ? '' : `${row.share_pct.toFixed(1)} %` }));
  if (values.length === 0) return null;
  const order = [...new Set([...values].sort((a, b) => (b.amount as number) - (a.amount as number)).map((v) => v.channel))];
  return {
    caption: 'Amount paid per payment channel over the period, exactly as paid (no attribution), with its share of the total.',
    spec: spec({
      width: 420,
      height: { step: 24 },
      data: { values },
      encoding: {
        y: { field: 'channel', type: 'nominal', title: null, sort: order },
        x: { field: 'amount', type: 'quantitative', title: 'amount paid' },
      },
      layer: [
        { name: 'payment_channels', mark: { type: 'bar', color: COLOR.bar } },
        { mark: { type: 'text', align: 'left', dx: 4, color: '#374151' }, encoding: { text: { field: 'share' } } },
      ],
    }),
  };
}

function drawCategories(rows: ChartRows<'categories'>): DrawnChart | null {
  const ranked = rows
    .filter((row) => row.revenue !== null || row.margin !== null)
    .map((row) => ({ ...row, category: row.category ?? '(none)' }))
    .sort((a, b) => (b.revenue ?? 0) - (a.revenue ?? 0));
  if (ranked.length === 0) return null;
  const shown = ranked.slice(0, TOP_CATEGORIES);
  const values = shown.flatMap((row) => [
    ...(row.revenue === null ? [] : [{ category: row.category, measure: 'revenue', value: row.revenue }]),
    ...(row.margin === null ? [] : [{ category: row.category, measure: 'margin', value: row.margin }]),
  ]);
  const cut = ranked.length > shown.length ? ` The ${shown.length} largest of ${ranked.length} categories by revenue; the table lists every one.` : '';
  return {
    caption: `Recognized revenue and margin per product category (attribution as in the report's parameters); margin % in the table.${cut}`,
    spec: spec({
      width: 460,
      // With yOffset the step is per bar, not per category.
      height: { step: 12 },
      data: { values },
      encoding: {
        y: { field: 'category', type: 'nominal', title: null, sort: [...new Set(shown.map((row) => row.category))] },
        yOffset: { field: 'measure', type: 'nominal', sort: ['revenue', 'margin'] },
        x: { field: 'value', type: 'quantitative', title: 'amount' },
        color: { field: 'measure', type: 'nominal', title: null, scale: { domain: ['revenue', 'margin'], range: [COLOR.revenue, COLOR.margin] } },
      },
      layer: [{ name: 'category_profitability', mark: { type: 'bar' } }],
    }),
  };
}

function drawCohorts(rows: ChartRows<'cohorts'>): DrawnChart | null {
  const values = rows
    .filter((row) => row.cohort_customers !== null && row.cohort_customers > 0 && row.active_customers !== null)
    .map((row) => {
      const retention = ((row.active_customers as number) * 100) / (row.cohort_customers as number);
      return { cohort: row.cohort_month.slice(0, 7), month: row.months_since_first_order, retention, label: retention.toFixed(0) };
    });
  if (values.length === 0) return null;
  const cohorts = [...new Set(values.map((v) => v.cohort))].sort();
  const months = new Set(values.map((v) => v.month)).size;
  // Figures inside the cells only while they are large enough to read.
  const labelled = months <= 12 && cohorts.length <= 24;
  const step = labelled ? 30 : 13;
  return {
    caption:
      "Share of each cohort's customers (by the month of their first order) who ordered again N months later; month 0 is the first order. " +
      'Lifetime value per customer in the table.',
    spec: spec({
      width: { step },
      height: { step },
      data: { values },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'months since first order', axis: { labelAngle: 0 } },
        y: { field: 'cohort', type: 'ordinal', title: 'cohort', sort: cohorts },
      },
      layer: [
        {
          name: 'cohort_retention',
          mark: { type: 'rect' },
          encoding: {
            color: { field: 'retention', type: 'quantitative', title: '% of cohort active', scale: { type: 'sqrt', domain: [0, 100], scheme: 'blues' }, legend: { orient: 'top', gradientLength: 160 } },
          },
        },
        ...(labelled
          ? [
              {
                mark: { type: 'text', fontSize: 10 },
                encoding: {
                  text: { field: 'label' },
                  color: { condition: { test: 'datum.retention > 55', value: '#ffffff' }, value: '#111827' },
                },
              },
            ]
          : []),
      ],
    }),
  };
}

function lagName(lag: string): string {
  return lag.replaceAll('_to_', ' → ').replaceAll('_', ' ');
}

function drawLags(rows: ChartRows<'fulfillment_lags'>): DrawnChart | null {
  const values = rows
    .filter((row) => row.orders !== null && row.share_pct !== null)
    .map((row) => ({ lag: lagName(row.lag), bucket: row.bucket ?? '(unknown)', orders: row.orders, share: row.share_pct }));
  if (values.length === 0) return null;
  const lags = [...new Set(values.map((v) => v.lag))];
  const known: readonly string[] = LAG_BUCKET_ORDER;
  const buckets = [...known.filter((b) => values.some((v) => v.bucket === b)), ...new Set(values.map((v) => v.bucket).filter((b) => !known.includes(b)))];
  return {
    caption: 'For each lag between two order milestones, the share of the orders that reached both milestones, per hour bucket.',
    spec: spec({
      // With xOffset the step is per bar, not per bucket.
      width: { step: 18 },
      height: 220,
      data: { values },
      encoding: {
        x: { field: 'bucket', type: 'nominal', title: 'hours', sort: buckets, axis: { labelAngle: 0 } },
        xOffset: { field: 'lag', type: 'nominal', sort: lags },
        y: { field: 'share', type: 'quantitative', title: '% of orders' },
        color: { field: 'lag', type: 'nominal', title: null, sort: lags, scale: { domain: lags, range: LAG_COLORS.slice(0, Math.max(lags.length, 1)) } },
      },
      layer: [{ name: 'fulfillment_lags', mark: { type: 'bar' } }],
    }),
  };
}

// Short names keep the restatement labels within the axis.
const SLICE_NAMES: Readonly<Record<string, string>> = { payment_channel: 'channel' };

function drawRestatements(rows: ChartRows<'restatements'>, document: ReportDocument): DrawnChart | null {
  const moved = rows
    .filter((row) => row.change !== null && row.change !== 0)
    .map((row, index) => ({ row, index, size: Math.abs(row.change as number) }))
    .sort((a, b) => b.size - a.size || a.index - b.index);
  if (moved.length === 0) return null;
  const shown = moved.slice(0, TOP_RESTATEMENTS);
  const seen = new Map<string, number>();
  const values = shown.map(({ row }) => {
    const base = `${row.period_start} ${row.measure}${row.slice_kind === 'total' ? '' : ` · ${SLICE_NAMES[row.slice_kind] ?? row.slice_kind} ${row.slice_value}`}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const change = row.change as number;
    return { figure: n === 1 ? base : `${base} (${n})`, change, direction: change > 0 ? 'up' : 'down' };
  });
  const since = document.comparedWith === null ? 'the comparison load' : loadText(document.comparedWith);
  const cut = moved.length > shown.length ? `the ${shown.length} largest of ${moved.length} moves` : `every move (${moved.length})`;
  return {
    caption: `Published figures that changed since ${since}: ${cut}, by size. The sentences above say why each moved.`,
    spec: spec({
      width: 420,
      height: { step: 20 },
      data: { values },
      encoding: {
        y: { field: 'figure', type: 'nominal', title: null, sort: values.map((v) => v.figure), axis: { labelLimit: 360 } },
        x: { field: 'change', type: 'quantitative', title: 'change' },
        color: { field: 'direction', type: 'nominal', title: null, scale: { domain: ['up', 'down'], range: [COLOR.up, COLOR.down] }, legend: null },
      },
      layer: [{ name: 'restatements', mark: { type: 'bar' } }],
    }),
  };
}

function loadLabel(loadSeq: number, batchId: string): string {
  return `${loadSeq} · ${batchId}`;
}

function loadOrder(rows: readonly { load_seq: number; batch_id: string }[]): string[] {
  const seqs = new Map<number, string>();
  for (const row of rows) seqs.set(row.load_seq, loadLabel(row.load_seq, row.batch_id));
  return [...seqs.entries()].sort(([a], [b]) => a - b).map(([, label]) => label);
}

function drawTests(rows: ChartRows<'data_health'>): DrawnChart | null {
  const statuses = [
    ['passed', 'tests_passed'],
    ['warned', 'tests_warned'],
    ['failed', 'tests_failed'],
  ] as const;
  const values = rows.flatMap((row) =>
    statuses.flatMap(([status, field]) => {
      const tests = row[field];
      return tests === null || tests <= 0 ? [] : [{ load: loadLabel(row.load_seq, row.batch_id), status, tests }];
    }),
  );
  if (values.length === 0) return null;
  return {
    caption: 'Data-quality tests of each load: passed, warned and failed. The tests that warned or failed are listed below, with sample keys.',
    spec: spec({
      width: { step: 40 },
      height: 160,
      data: { values },
      encoding: {
        x: { field: 'load', type: 'nominal', title: 'load · batch', sort: loadOrder(rows), axis: { labelAngle: -40 } },
        y: { field: 'tests', type: 'quantitative', title: 'tests', stack: 'zero' },
        color: {
          field: 'status',
          type: 'nominal',
          title: null,
          scale: { domain: ['passed', 'warned', 'failed'], range: [COLOR.passed, COLOR.warned, COLOR.failed] },
        },
        order: { field: 'order', type: 'quantitative' },
      },
      transform: [{ calculate: "indexof(['passed', 'warned', 'failed'], datum.status)", as: 'order' }],
      layer: [{ name: 'data_tests', mark: { type: 'bar' } }],
    }),
  };
}

function drawQuarantine(rows: ChartRows<'quarantine'>): DrawnChart | null {
  const values = rows
    .filter((row) => row.quarantine_pct !== null)
    .map((row) => ({
      load: loadLabel(row.load_seq, row.batch_id),
      table: row.table_name,
      pct: row.quarantine_pct,
      label: row.quarantined_rows === null ? '' : String(row.quarantined_rows),
    }));
  if (values.length === 0) return null;
  return {
    caption: 'Share of the rows received that went to quarantine, per source table and load; each cell shows the quarantined row count.',
    spec: spec({
      width: { step: 44 },
      height: { step: 24 },
      data: { values },
      encoding: {
        x: { field: 'load', type: 'nominal', title: 'load · batch', sort: loadOrder(rows), axis: { labelAngle: -40 } },
        y: { field: 'table', type: 'nominal', title: null, sort: 'ascending' },
      },
      layer: [
        {
          name: 'quarantine',
          mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
          encoding: {
            color: { field: 'pct', type: 'quantitative', title: '% quarantined', scale: { scheme: 'oranges', domainMin: 0 }, legend: { orient: 'top', gradientLength: 160 } },
          },
        },
        { mark: { type: 'text', fontSize: 10, color: '#111827' }, encoding: { text: { field: 'label' } } },
      ],
    }),
  };
}

function drawFreshness(rows: ChartRows<'freshness'>, document: ReportDocument): DrawnChart | null {
  const values = rows.filter((row) => row.age_hours !== null).map((row) => ({ table: row.table_name, age: row.age_hours }));
  if (values.length === 0) return null;
  return {
    caption: `How old each source table's newest change was when ${loadText(document.asOf)} finished (never the clock of whoever opens this page).`,
    spec: spec({
      width: 420,
      height: { step: 22 },
      data: { values },
      encoding: {
        y: { field: 'table', type: 'nominal', title: null, sort: 'ascending' },
        x: { field: 'age', type: 'quantitative', title: 'hours since the newest change' },
      },
      layer: [{ name: 'freshness', mark: { type: 'bar', color: COLOR.bar } }],
    }),
  };
}
