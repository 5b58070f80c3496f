import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planCharts } from '../functions/report/html/charts.js';
import { parseReportDocument, type ReportDocument } from '../functions/report/html/document.js';
import { ReportDocumentError } from '../functions/report/html/errors.js';
import { formatReportHtml } from '../functions/report/html/formatReportHtml.js';
import { renderReportHtml, writeHtmlReport } from '../functions/report/html/index.js';
import { vega, vegaLite } from '../functions/report/html/loadVega.js';
import { renderSvgs } from '../functions/report/html/renderSvg.js';
import { sampleReportDocument, sectionRows, withSection } from './helpers/reportDocument.js';
import { tempDir } from './helpers/tempLake.js';

// `ecomdw report --format json` on `ecomdw demo --scale 0.02 --days 90` (the report command's branch, c-reports 53700ce).
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'report', 'demo-90-days.json');
const fixtureText = () => readFileSync(FIXTURE, 'utf8');
const HOSTILE = '<script>alert("x")</script>';
const HOSTILE_IMG = '"><img src=x onerror=alert(1)>';

function hostileDocument(): ReportDocument {
  const document = sampleReportDocument({ categories: [HOSTILE, HOSTILE_IMG, 'toys & games'], channels: ['card', HOSTILE], tables: ['orders', HOSTILE] });
  return {
    ...document,
    asOf: { ...document.asOf, runId: HOSTILE },
    sections: document.sections.map((s) => (s.id === 'basket' ? { ...s, title: HOSTILE, description: HOSTILE_IMG } : s)),
  };
}

describe('Rendering the report as HTML', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it("draws every chart of the report command's JSON as inline SVG, with no Vega warning", async () => {
    // Prepare
    const document = parseReportDocument(fixtureText(), FIXTURE);

    // Act
    const planned = planCharts(document);
    const drawn = await renderSvgs(planned.map((c) => ({ id: c.id, spec: c.spec })));
    const html = await renderReportHtml(fixtureText());

    // Assess
    expect(planned.map((c) => c.id)).toEqual([
      'revenue_trend',
      'payment_channels',
      'category_profitability',
      'cohort_retention',
      'fulfillment_lags',
      'restatements',
      'data_tests',
      'quarantine',
      'freshness',
    ]);
    expect(drawn.flatMap((d) => d.warnings.map((w) => `${d.id}: ${w}`))).toEqual([]);
    expect(html.match(/<svg /g)).toHaveLength(planned.length);
    // and no warning on large, first-load or hostile documents either
    for (const other of [sampleReportDocument({ months: 36, cohorts: 36, restatements: 300, loads: 14 }), sampleReportDocument({ firstLoad: true }), hostileDocument()]) {
      const otherDrawn = await renderSvgs(planCharts(other).map((c) => ({ id: c.id, spec: c.spec })));
      expect(otherDrawn.flatMap((d) => d.warnings.map((w) => `${d.id}: ${w}`))).toEqual([]);
    }
    for (const section of document.sections) expect(html).toContain(`<section id="${section.id}"`);
  });

  it('gives the same bytes for the same document, whatever the time zone and however many render at once', async () => {
    // Prepare
    const documents = [fixtureText(), sampleReportDocument({ months: 24, cohorts: 24 })];
    process.env.TZ = 'UTC';
    const offsetUtc = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset();
    const first = [await renderReportHtml(documents[0]), await renderReportHtml(documents[1])];

    // Act
    process.env.TZ = 'Pacific/Kiritimati';
    const offsetFar = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset();
    const elsewhere = [await renderReportHtml(documents[0]), await renderReportHtml(documents[1])];
    process.env.TZ = 'America/Los_Angeles';
    const together = await Promise.all([renderReportHtml(documents[0]), renderReportHtml(documents[1]), renderReportHtml(documents[0])]);

    // Assess
    expect(offsetFar).not.toBe(offsetUtc); // the zone really changed
    expect(elsewhere[0]).toBe(first[0]);
    expect(elsewhere[1]).toBe(first[1]);
    expect(together).toEqual([first[0], first[1], first[0]]);
  });

  it('escapes every text of the document: a category named <script> is text, not markup', async () => {
    // Act
    const html = await renderReportHtml(hostileDocument());

    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('toys &amp; games');
    // the chart labels too (Vega's SVG text)
    const svgs = html.match(/<svg [\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.some((svg) => svg.includes('&lt;script&gt;'))).toBe(true);
  });

  it('reaches for nothing outside the file: no script, no link, no URL but in-page ones', async () => {
    // Act
    const html = await renderReportHtml(hostileDocument());

    // Assess
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed|img|base)\b/i);
    expect(html).not.toMatch(/<[^>]*\bsrc\s*=/i); // inside a tag: text cannot hold a raw <
    expect(html).not.toMatch(/@import/i);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((href) => !href?.startsWith('#'))).toEqual([]);
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]).filter((url) => !url?.startsWith('#'))).toEqual([]);
    // the only absolute URLs are the SVG namespaces
    expect(new Set(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('shows the largest categories and restatements in the charts, and every row in the tables', async () => {
    // Prepare
    const categories = Array.from({ length: 40 }, (_, i) => `category_${i}`);
    const document = sampleReportDocument({ categories, restatements: 75 });

    // Act
    const html = await renderReportHtml(document);
    const charts = planCharts(document);

    // Assess
    const tableRows = (id: string) => {
      const table = html.slice(html.indexOf(`data-table="${id}"`));
      return (table.slice(0, table.indexOf('</table>')).match(/<tr><td/g) ?? []).length;
    };
    expect(tableRows('categories')).toBe(40);
    expect(tableRows('restatements')).toBe(75);
    expect(charts.find((c) => c.id === 'category_profitability')?.caption).toContain('The 25 largest of 40 categories');
    expect(charts.find((c) => c.id === 'restatements')?.caption).toContain('the 20 largest of 75 moves');
    expect(html).toContain('What moved, and why (the 10 largest of 75; the table lists every one)');
    // the sentences are the largest moves, largest first
    const sizes = sectionRows(document, 'restatements')
      .map((r) => ({ text: String(r.explanation), size: Math.abs(Number(r.change)) }))
      .sort((a, b) => b.size - a.size);
    const list = html.slice(html.indexOf('<ol class="moves">'), html.indexOf('</ol>', html.indexOf('<ol class="moves">')));
    expect([...list.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1])).toEqual(sizes.slice(0, 10).map((s) => s.text));
  });

  it('leaves out the charts of absent or empty sections, and says a section has no rows', async () => {
    // Prepare
    const firstLoad = sampleReportDocument({ firstLoad: true });
    const partial = withSection(withSection(sampleReportDocument(), 'restatements', null), 'cohorts', []);

    // Act
    const firstHtml = await renderReportHtml(firstLoad);
    const partialHtml = await renderReportHtml(partial);

    // Assess
    expect(firstHtml).not.toContain('id="chart-restatements"');
    expect(firstHtml).toContain('No earlier load to compare with.');
    expect(partialHtml).not.toContain('id="restatements"');
    expect(partialHtml).not.toContain('id="chart-cohort_retention"');
    const cohorts = partialHtml.slice(partialHtml.indexOf('<section id="cohorts"'));
    expect(cohorts.slice(0, cohorts.indexOf('</section>'))).toContain('No rows for this section.');
  });

  it('refuses a document it cannot draw, naming the section, row and column', async () => {
    // Prepare
    const document = JSON.parse(fixtureText()) as { sections: { id: string; rows: Record<string, unknown>[] }[]; asOf?: unknown };
    const trend = document.sections.find((s) => s.id === 'revenue_trend') as { rows: Record<string, unknown>[] };
    (trend.rows[1] as Record<string, unknown>).revenue = '65,108.13';
    const noAsOf = { ...(JSON.parse(fixtureText()) as object), asOf: undefined };
    const twice = JSON.parse(fixtureText()) as { sections: unknown[] };
    twice.sections.push(twice.sections[0]);

    // Act & Assess
    await expect(renderReportHtml(document, 'report.json')).rejects.toThrow(ReportDocumentError);
    await expect(renderReportHtml(document, 'report.json')).rejects.toThrow(/report section revenue_trend, row 2: revenue: .*expected number/);
    await expect(renderReportHtml('{"report": "ecomdw", ', 'report.json')).rejects.toThrow(/^report\.json is not JSON/);
    await expect(renderReportHtml(noAsOf, 'report.json')).rejects.toThrow(/report\.json is not an ecomdw report: asOf: /);
    await expect(renderReportHtml(twice, 'report.json')).rejects.toThrow(/section revenue_trend appears twice/);
  });

  it("gives the builder's object and the JSON it prints the same page, through the one call the report command makes", async () => {
    // Prepare: a zero that prints as 0 in JSON but is -0 in memory, and a cell left undefined
    const document = sampleReportDocument({ months: 3 });
    const trend = document.sections.find((s) => s.id === 'revenue_trend') as { rows: Record<string, unknown>[] };
    trend.rows[0] = { ...trend.rows[0], returned_revenue: -0, revenue_without_cost: undefined };

    // Act
    const fromObject = await formatReportHtml(document);
    const fromJson = await renderReportHtml(JSON.stringify(document));

    // Assess
    expect(fromObject).toBe(fromJson);
    expect(fromObject).not.toContain('-0.00');
  });

  it('draws with the Vega and Vega-Lite versions installed (their single-file builds)', () => {
    // Prepare
    const require = createRequire(import.meta.url);
    const installed = (pkg: string) => (JSON.parse(readFileSync(path.join(path.dirname(require.resolve(pkg)), '..', 'package.json'), 'utf8')) as { version: string }).version;

    // Assess
    expect(vega.version).toBe(installed('vega'));
    expect(vegaLite.version).toBe(installed('vega-lite'));
  });

  it('writes the page to a file and returns its path', async () => {
    // Prepare
    const { dir, cleanup } = tempDir();
    try {
      // Act
      const written = await writeHtmlReport(fixtureText(), path.join(dir, 'reports', 'report.html'));

      // Assess
      expect(written).toBe(path.join(dir, 'reports', 'report.html'));
      expect(readFileSync(written, 'utf8')).toBe(await renderReportHtml(fixtureText()));
    } finally {
      cleanup();
    }
  });
});
