/**
 * `ecomdw report --format html`: the report document as one self-contained HTML
 * page with charts drawn on the server by Vega-Lite and Vega.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { planCharts } from './charts.js';
import { parseReportDocument, type ReportDocument } from './document.js';
import { renderPage } from './page.js';
import { renderSvgs } from './renderSvg.js';

export { parseReportDocument, type ReportDocument } from './document.js';

/** What rendering took, for progress lines and the benchmark. */
export interface HtmlReportStats {
  readonly charts: number;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * The HTML report of a report document: the object `buildReport` returns or
 * its JSON text. The same document always gives the same bytes.
 */
export async function renderReportHtml(report: unknown, source?: string): Promise<string> {
  return (await renderReportHtmlWithStats(report, source)).html;
}

/** renderReportHtml, with how many charts it drew, the page's size and the time it took. */
export async function renderReportHtmlWithStats(report: unknown, source?: string): Promise<{ html: string; stats: HtmlReportStats }> {
  const started = performance.now();
  const document: ReportDocument = parseReportDocument(report, source);
  const planned = planCharts(document);
  const drawn = await renderSvgs(planned.map((chart) => ({ id: chart.id, spec: chart.spec })));
  const html = renderPage(
    document,
    planned.map((chart, i) => ({ ...chart, svg: (drawn[i] as (typeof drawn)[number]).svg })),
  );
  return { html, stats: { charts: planned.length, bytes: Buffer.byteLength(html), ms: performance.now() - started } };
}

/** Writes the HTML report to `file` (its folder made if missing); returns the absolute path. */
export async function writeHtmlReport(report: unknown, file: string): Promise<string> {
  const html = await renderReportHtml(report);
  const out = path.resolve(file);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, html);
  return out;
}
