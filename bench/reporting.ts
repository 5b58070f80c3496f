/**
 * The reporting layer's figures on a loaded warehouse: `ecomdw report` (every
 * section) for each attribution and as known at an earlier batch, and what
 * each mart view costs to read in full (what a table rebuilt after every batch
 * would cost instead: the reason the marts are views).
 */
import { buildReport } from '../functions/report/buildReport.js';
import type { ReportRequest } from '../functions/report/types.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { MART_VIEWS } from '../functions/core/pipelineManifest.js';

/** One timed report: which request, the median and every run's time. */
export interface ReportTiming {
  readonly name: string;
  readonly medianSeconds: number;
  readonly runsSeconds: number[];
  /** Rows over all sections of the report. */
  readonly rows: number;
}

export interface ReportingResult {
  readonly kind: 'reporting';
  readonly seconds: number;
  readonly maxRssBytes: number;
  readonly cpuSeconds?: number;
  /** Opening the warehouse file (once per `ecomdw report`). */
  readonly openSeconds: number;
  readonly reports: ReportTiming[];
  /** Per mart view: seconds to read all of it. */
  readonly martSeconds: Record<string, number>;
  /** Rows in the known.* tables (current and superseded versions). */
  readonly knownRows: Record<string, number>;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

/** Times the report `repeat` times per request (after one warm-up run each) and each mart view once, on a copy-free open warehouse. */
export async function measureReporting(dbPath: string, knownAt: string, asOfDate: string, repeat: number): Promise<Omit<ReportingResult, 'kind' | 'maxRssBytes' | 'seconds'>> {
  const [engine, openSeconds] = await timed(() => DuckDbEngine.open({ path: dbPath, lakeRoot: '.' }));
  try {
    const requests: [string, ReportRequest][] = [
      ['attribution purchase', { attribution: { kind: 'purchase' } }],
      ['attribution current', { attribution: { kind: 'current' } }],
      [`attribution as-of:${asOfDate}`, { attribution: { kind: 'as-of', date: asOfDate } }],
      [`known at ${knownAt}`, { attribution: { kind: 'purchase' }, knownAt }],
    ];
    const reports: ReportTiming[] = [];
    for (const [name, request] of requests) {
      const [report] = await timed(() => buildReport(engine, request));
      const runs: number[] = [];
      for (let i = 0; i < repeat; i += 1) runs.push((await timed(() => buildReport(engine, request)))[1]);
      reports.push({ name, medianSeconds: median(runs), runsSeconds: runs, rows: report.sections.reduce((sum, s) => sum + s.rows.length, 0) });
    }
    const martSeconds: Record<string, number> = {};
    for (const file of MART_VIEWS) {
      const view = `mart.${file.replace(/^marts\/|\.sql$/g, '')}`;
      martSeconds[view] = (await timed(() => engine.query({ sql: `select count(*) as n from (select * from ${view}) as everything` })))[1];
    }
    const knownRows: Record<string, number> = {};
    for (const table of ['known.order_items', 'known.orders', 'known.payments', 'known.customers', 'known.products', 'known.daily_figures']) {
      const [row] = await engine.query({ sql: `select count(*) as n from ${table}` });
      knownRows[table] = Number(row?.n ?? 0);
    }
    return { openSeconds, reports, martSeconds, knownRows };
  } finally {
    await engine.close();
  }
}
