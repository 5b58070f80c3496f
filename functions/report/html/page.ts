/**
 * The report as one HTML page: a header saying which load it shows, then each
 * section of the document with its charts (inline SVG) beside a table of its
 * exact figures. No script, no external resource: the Content-Security-Policy
 * forbids both, so the file behaves the same offline and as an e-mail
 * attachment, and every text from the document is escaped.
 */
import type { PlannedChart } from './charts.js';
import type { Column, LoadRef, ReportDocument, ReportRow, ReportSection } from './document.js';
import { anchorId, escapeHtml } from './escape.js';

/** A planned chart with its drawing. */
export interface PageChart extends PlannedChart {
  readonly svg: string;
}

/** How many restatements are spelled out as sentences above their table. */
export const RESTATEMENT_SENTENCES = 10;
/** Tables with more columns than this go below their charts rather than beside them. */
const WIDE_TABLE_COLUMNS = 8;

const amountFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111827; background: #f9fafb; }
header, main, footer { max-width: 1320px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 4px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.lede { margin: 0 0 4px; color: #374151; }
.parameters { margin: 0 0 12px; color: #4b5563; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 0 0 16px; }
nav a { color: #1d4ed8; text-decoration: none; }
nav a:hover { text-decoration: underline; }
section { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px 20px; margin: 0 0 20px; }
.description { color: #4b5563; margin: 0 0 12px; max-width: 980px; }
.body { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
figure { margin: 0; flex: 0 1 auto; max-width: 100%; }
figure svg { display: block; max-width: 100%; height: auto; }
figure svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
figcaption { color: #4b5563; font-size: 12.5px; max-width: 680px; margin: 4px 0 0; }
.table.wide { flex-basis: 100%; }
.table { flex: 1 1 420px; min-width: 0; max-width: 100%; max-height: 480px; overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; }
table { border-collapse: collapse; font-size: 12.5px; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; padding: 6px 8px; color: #4b5563; font-size: 12px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #f3f4f6; white-space: nowrap; }
th { position: sticky; top: 0; background: #f3f4f6; font-weight: 600; text-align: left; }
td.n, th.n { text-align: right; }
td.wrap { white-space: normal; min-width: 320px; }
.none { color: #6b7280; font-style: italic; margin: 0; }
ol.moves { margin: 0 0 12px; padding-left: 22px; }
ol.moves li { margin: 0 0 3px; }
footer { color: #6b7280; font-size: 12px; padding-bottom: 24px; }
@media print {
  body { background: #ffffff; }
  section { break-inside: avoid-page; border: none; padding: 0; }
  .table { max-height: none; overflow: visible; }
}
`;

/** The whole page; the same document and charts give the same bytes. */
export function renderPage(document: ReportDocument, charts: readonly PageChart[]): string {
  const title = `ecomdw report as of ${loadText(document.asOf)}`;
  const nav = document.sections.map((s) => `<li><a href="#${anchorId(s.id)}">${escapeHtml(s.title)}</a></li>`).join('');
  const sections = document.sections.map((s) => renderSection(s, charts.filter((c) => c.section === s.id))).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="ecomdw report --format html">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="lede">${escapeHtml(ledeText(document))}</p>`,
    `<p class="parameters">${escapeHtml(parametersText(document))}</p>`,
    `<nav aria-label="sections"><ol>${nav}</ol></nav>`,
    '</header>',
    '<main>',
    sections,
    '</main>',
    '<footer>',
    `<p>${escapeHtml(
      'Charts are drawn from the same rows as the tables beside them; the tables hold the exact figures (amounts rounded to the cent). ' +
        `This page is a pure function of the report document: \`ecomdw report --known-at ${document.asOf.batchId} --format html\` ` +
        'writes the same bytes again, whatever has been loaded since.',
    )}</p>`,
    '</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function loadText(load: LoadRef): string {
  return `load ${load.loadSeq} (batch ${load.batchId})`;
}

function ledeText(document: ReportDocument): string {
  const asOf = document.asOf;
  const compared = document.comparedWith;
  return (
    `The warehouse as it stood right after ${loadText(asOf)}, run ${asOf.runId}, finished ${asOf.loadedAt} UTC. ` +
    (compared === null
      ? 'No earlier load to compare with.'
      : `As-was figures and restatements compare with ${loadText(compared)}, finished ${compared.loadedAt} UTC.`)
  );
}

function parametersText(document: ReportDocument): string {
  const p = document.parameters;
  return `Orders from ${p.from ?? '(none)'} to ${p.to ?? '(none)'} · per ${p.grain} · attribution ${p.attribution}`;
}

function renderSection(section: ReportSection, charts: readonly PageChart[]): string {
  const figures = charts.map(renderFigure).join('\n');
  const body =
    section.rows.length === 0
      ? '<p class="none">No rows for this section.</p>'
      : `<div class="body">\n${figures}${figures === '' ? '' : '\n'}${renderTable(section)}\n</div>`;
  return [
    `<section id="${anchorId(section.id)}" data-section="${escapeHtml(section.id)}">`,
    `<h2>${escapeHtml(section.title)}</h2>`,
    `<p class="description">${escapeHtml(section.description)}</p>`,
    section.id === 'restatements' ? renderMoves(section) : '',
    body,
    '</section>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function renderFigure(chart: PageChart): string {
  return [
    `<figure id="chart-${anchorId(chart.id)}" data-chart="${escapeHtml(chart.id)}">`,
    `<h3>${escapeHtml(chart.title)}</h3>`,
    chart.svg,
    `<figcaption>${escapeHtml(chart.caption)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

// What moved and why, in the report's own words: the largest moves first.
function renderMoves(section: ReportSection): string {
  const sentences = section.rows
    .map((row, index) => ({ text: row.explanation, size: typeof row.change === 'number' ? Math.abs(row.change) : 0, index }))
    .filter((m): m is { text: string; size: number; index: number } => typeof m.text === 'string' && m.text !== '')
    .sort((a, b) => b.size - a.size || a.index - b.index);
  if (sentences.length === 0) return '';
  const shown = sentences.slice(0, RESTATEMENT_SENTENCES);
  const more = sentences.length > shown.length ? ` (the ${shown.length} largest of ${sentences.length}; the table lists every one)` : '';
  return [
    `<h3>What moved, and why${escapeHtml(more)}</h3>`,
    '<ol class="moves">',
    ...shown.map((m) => `<li>${escapeHtml(m.text)}</li>`),
    '</ol>',
  ].join('\n');
}

function renderTable(section: ReportSection): string {
  const head = section.columns.map((c) => `<th scope="col" class="${cellClass(c)}" title="${escapeHtml(c.name)}">${escapeHtml(c.label)}</th>`).join('');
  const rows = section.rows.map((row) => `<tr>${section.columns.map((c) => `<td class="${cellClass(c)}">${escapeHtml(cellText(c, row))}</td>`).join('')}</tr>`);
  return [
    `<div class="${isWide(section) ? 'table wide' : 'table'}" data-table="${escapeHtml(section.id)}">`,
    '<table>',
    `<caption>${escapeHtml(`${section.rows.length} ${section.rows.length === 1 ? 'row' : 'rows'}`)}</caption>`,
    `<thead><tr>${head}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
    '</div>',
  ].join('\n');
}

// A table too wide to sit beside a chart goes below it, at full width.
function isWide(section: ReportSection): boolean {
  return section.columns.length > WIDE_TABLE_COLUMNS || section.columns.some((c) => cellClass(c) === 'wrap');
}

function cellClass(column: Column): string {
  if (column.type === 'text' && (column.name === 'explanation' || column.name === 'causes' || column.name === 'sample_keys')) return 'wrap';
  return column.type === 'text' || column.type === 'date' ? 't' : 'n';
}

/** A cell as the table shows it: amounts with cents and thousands separators, counts grouped, NULL empty. */
export function cellText(column: Column, row: ReportRow): string {
  const value = row[column.name];
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  switch (column.type) {
    case 'amount':
      return amountFormat.format(value);
    case 'integer':
      return integerFormat.format(value);
    case 'percent':
      return value.toFixed(1);
    case 'hours':
      return value.toFixed(2);
    default:
      return String(value);
  }
}
