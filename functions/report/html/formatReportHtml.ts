/**
 * The one call `ecomdw report --format html` makes. Vega and Vega-Lite load only
 * here, on first use, so the table, JSON and CSV formats never pay their import
 * (about 0.2 s of CPU).
 */
export async function formatReportHtml(report: unknown): Promise<string> {
  const { renderReportHtml } = await import('./index.js');
  return renderReportHtml(report);
}
