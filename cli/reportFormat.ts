import Table from 'cli-table3';
import { formatReportHtml } from '../functions/report/html/formatReportHtml.js';
import { formatAmount } from '../functions/report/numbers.js';
import type { Column, Report, ReportRow, ReportSection } from '../functions/report/types.js';

/** The report's output formats. */
export const REPORT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The report as text in one format; the same report gives the same bytes. */
export async function formatReport(report: Report, format: ReportFormat): Promise<string> {
  switch (format) {
    case 'html':
      // one self-contained page with its charts (functions/report/html/)
      return formatReportHtml(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return csvReport(report);
    case 'table':
      return tableReport(report);
  }
}

/** `load 7 (batch 2024-01-07, loaded 2024-01-08 06:00:00 UTC)` */
function loadText(load: Report['asOf']): string {
  return `load ${load.loadSeq} (batch ${load.batchId}, run ${load.runId}, loaded ${load.loadedAt} UTC)`;
}

function tableReport(report: Report): string {
  const { parameters: p } = report;
  const lines = [
    `ecomdw report as of ${loadText(report.asOf)}`,
    `orders ${p.from ?? '-'} to ${p.to ?? '-'} · grain ${p.grain} · attribution ${p.attribution} · ` +
      (report.comparedWith ? `compared with ${loadText(report.comparedWith)}` : 'no earlier load to compare with'),
  ];
  for (const section of report.sections) lines.push('', `== ${section.title} (${section.id})`, sectionTable(section));
  return `${lines.join('\n')}\n`;
}

function sectionTable(section: ReportSection): string {
  if (section.rows.length === 0) return '(none)';
  // A restatement reads best as its sentence.
  if (section.id === 'restatements') return section.rows.map((r) => `- ${String(r.explanation)}`).join('\n');
  const table = new Table({
    head: section.columns.map((c) => c.label),
    colAligns: section.columns.map((c) => (c.type === 'text' || c.type === 'date' ? 'left' : 'right')),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of section.rows) table.push(section.columns.map((c) => cellText(c, row)));
  return table.toString();
}

function cellText(column: Column, row: ReportRow): string {
  const value = row[column.name];
  if (value === null || value === undefined) return '';
  switch (column.type) {
    case 'amount':
      return formatAmount(Number(value));
    case 'integer':
      return Number(value).toLocaleString('en-US');
    case 'percent':
      return Number(value).toFixed(1);
    case 'hours':
      return Number(value).toFixed(2);
    default:
      return String(value);
  }
}

// One block per section: a `# id: title` line, the header, the rows. With one
// section (--section), a plain CSV file.
function csvReport(report: Report): string {
  const blocks = report.sections.map((section) => {
    const lines = [section.columns.map((c) => csvField(c.name)).join(',')];
    for (const row of section.rows) lines.push(section.columns.map((c) => csvField(csvValue(c, row))).join(','));
    return report.sections.length === 1 ? lines.join('\n') : [`# ${section.id}: ${section.title}`, ...lines].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

function csvValue(column: Column, row: ReportRow): string {
  const value = row[column.name];
  if (value === null || value === undefined) return '';
  if (column.type === 'amount' || column.type === 'hours') return Number(value).toFixed(2);
  if (column.type === 'percent') return Number(value).toFixed(1);
  return String(value);
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
