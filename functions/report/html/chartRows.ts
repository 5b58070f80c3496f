/**
 * The rows each chart draws, typed: the columns a chart reads from its section
 * of the report document, checked row by row, so that a renamed or retyped
 * column is an error naming the section, row and column instead of an empty or
 * wrong chart. Other columns of the sections are shown in the tables only.
 */
import { z } from 'zod';
import { issuesText, type ReportDocument } from './document.js';
import { ReportDocumentError } from './errors.js';

const amount = z.number().nullable();
const count = z.number().nullable();
const label = z.string().nullable();

/** Per charted section, the columns its charts read. */
export const CHART_ROWS = {
  revenue_trend: z.object({
    period_start: z.string(),
    revenue: amount,
    margin: amount,
    revenue_as_was: amount,
    margin_as_was: amount,
  }),
  payment_channels: z.object({ payment_channel: label, amount, share_pct: amount }),
  categories: z.object({ category: label, revenue: amount, margin: amount, margin_pct: amount }),
  cohorts: z.object({
    cohort_month: z.string(),
    months_since_first_order: z.number().int(),
    cohort_customers: count,
    active_customers: count,
  }),
  fulfillment_lags: z.object({ lag: z.string(), bucket: label, orders: count, share_pct: amount }),
  restatements: z.object({
    period_start: z.string(),
    measure: z.string(),
    slice_kind: z.string(),
    slice_value: z.string(),
    change: amount,
  }),
  data_health: z.object({
    load_seq: z.number().int(),
    batch_id: z.string(),
    tests_passed: count,
    tests_warned: count,
    tests_failed: count,
  }),
  quarantine: z.object({
    load_seq: z.number().int(),
    batch_id: z.string(),
    table_name: z.string(),
    raw_rows: count,
    quarantined_rows: count,
    quarantine_pct: amount,
  }),
  freshness: z.object({ table_name: z.string(), age_hours: z.number().nullable() }),
} as const;

/** A section that has a chart. */
export type ChartedSection = keyof typeof CHART_ROWS;
/** The typed rows of a charted section. */
export type ChartRows<K extends ChartedSection> = z.infer<(typeof CHART_ROWS)[K]>[];

/** The rows of section `id` as its charts read them; undefined when the document has no such section. */
export function chartRows<K extends ChartedSection>(document: ReportDocument, id: K): ChartRows<K> | undefined {
  const section = document.sections.find((s) => s.id === id);
  if (section === undefined) return undefined;
  const schema = CHART_ROWS[id];
  return section.rows.map((row, index) => {
    const result = schema.safeParse(row);
    if (!result.success) {
      throw new ReportDocumentError(`report section ${id}, row ${index + 1}: ${issuesText(result.error.issues, row)} (its chart needs ${Object.keys(schema.shape).join(', ')})`);
    }
    return result.data as ChartRows<K>[number];
  });
}
