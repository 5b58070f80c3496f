/**
 * The report's data model: one JSON document per report, its sections arrays
 * of flat rows, so that a renderer (table, CSV, HTML with charts) takes it as is.
 * Nothing in it depends on the clock: it is a function of the warehouse as it
 * stood after one load.
 */

/** How rows are grouped in time. */
export const GRAINS = ['day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

/** Which dimension version attributes a sale: at purchase (default), today's, or at a date. */
export type Attribution =
  | { readonly kind: 'purchase' }
  | { readonly kind: 'current' }
  | { readonly kind: 'as-of'; readonly date: string };

/** What the user asked for, validated (no warehouse needed to check it). */
export interface ReportRequest {
  /** First order date, YYYY-MM-DD; default: the first one known. */
  readonly from?: string;
  /** Last order date, YYYY-MM-DD; default: the last one known. */
  readonly to?: string;
  /** Default: day up to 62 days, week up to 366, month beyond. */
  readonly grain?: Grain;
  readonly attribution: Attribution;
  /** A batch id (its first successful load) or a run id: the report as it was right after it. */
  readonly knownAt?: string;
  /** A batch id or run id: the restatements since it, and the as-was figures it published. */
  readonly changesSince?: string;
  /** Only these sections (default: all). */
  readonly sections?: readonly SectionId[];
}

/** One load: a run that reached BuildMarts; done when its run finished. */
export interface LoadRef {
  readonly loadSeq: number;
  readonly batchId: string;
  readonly runId: string;
  /** When the run finished (audit.runs), UTC `YYYY-MM-DD HH:MM:SS`. */
  readonly loadedAt: string;
}

/** How a column's values are written and formatted. */
export type ColumnType = 'text' | 'date' | 'integer' | 'amount' | 'percent' | 'hours';

export interface Column {
  readonly name: string;
  readonly label: string;
  readonly type: ColumnType;
}

/** A row: text and dates as strings, numbers as numbers (amounts with 2 decimals), NULL as null. */
export type ReportRow = Readonly<Record<string, string | number | null>>;

export const SECTION_IDS = [
  'revenue_trend',
  'payment_channels',
  'categories',
  'geography_segments',
  'cohorts',
  'fulfillment',
  'fulfillment_lags',
  'basket',
  'restatements',
  'data_health',
  'quarantine',
  'freshness',
  'warnings',
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface ReportSection {
  readonly id: SectionId;
  readonly title: string;
  /** What the rows are and how their figures are defined. */
  readonly description: string;
  readonly columns: readonly Column[];
  readonly rows: readonly ReportRow[];
}

export interface Report {
  readonly report: 'ecomdw';
  readonly version: 1;
  /** The load whose state the report shows. */
  readonly asOf: LoadRef;
  /** The load the as-was figures and the restatements compare with (null: the first load). */
  readonly comparedWith: LoadRef | null;
  readonly parameters: {
    readonly from: string | null;
    readonly to: string | null;
    readonly grain: Grain;
    readonly attribution: string;
  };
  readonly sections: readonly ReportSection[];
}
