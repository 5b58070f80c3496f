/**
 * The HTML report in a real headless Chromium (Debian's chromium, installed by
 * scripts/chromium.sh from `npm test`'s pretest, driven by playwright-core) with
 * JavaScript off: it loads with no console message and no request but the file
 * itself, each chart has as many marks as its section's rows call for (counted
 * here from the document, independently of the renderer), and a screenshot is
 * written to test-artifacts/ (gitignored).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDocument, ReportRow } from '../functions/report/html/document.js';
import { renderReportHtml } from '../functions/report/html/index.js';
import { sampleReportDocument, sectionRows } from './helpers/reportDocument.js';
import { tempDir } from './helpers/tempLake.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'report', 'demo-90-days.json');
const ARTIFACTS = path.join(import.meta.dirname, '..', 'test-artifacts');
const CHROMIUM = process.env.ECOMDW_CHROMIUM ?? '/usr/bin/chromium';
// Without the networking flags Chromium keeps calling home on a closed network.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const HOSTILE = '<script>document.title="owned"</script>';

/** What a page did while loading: console messages, page errors, requests. */
interface PageLog {
  console: string[];
  errors: string[];
  requests: string[];
}

const num = (value: ReportRow[string] | undefined): number | null => (typeof value === 'number' ? value : null);
const present = (value: ReportRow[string] | undefined): boolean => num(value) !== null;

/** How many marks each chart must have, from the document's rows alone. */
function expectedMarks(document: ReportDocument): Record<string, number> {
  const has = (id: string) => document.sections.some((s) => s.id === id);
  const rows = (id: string) => (has(id) ? sectionRows(document, id) : []);
  const trendFields = ['revenue', 'revenue_as_was', 'margin', 'margin_as_was'];
  const categories = rows('categories')
    .filter((r) => present(r.revenue) || present(r.margin))
    .sort((a, b) => (num(b.revenue) ?? 0) - (num(a.revenue) ?? 0))
    .slice(0, 25);
  const moved = rows('restatements').filter((r) => present(r.change) && r.change !== 0).length;
  return {
    revenue_trend_point: rows('revenue_trend').reduce((n, r) => n + trendFields.filter((f) => present(r[f])).length, 0),
    revenue_trend_line: trendFields.filter((f) => rows('revenue_trend').some((r) => present(r[f]))).length,
    payment_channels: rows('payment_channels').filter((r) => present(r.amount)).length,
    category_profitability: categories.reduce((n, r) => n + (present(r.revenue) ? 1 : 0) + (present(r.margin) ? 1 : 0), 0),
    cohort_retention: rows('cohorts').filter((r) => (num(r.cohort_customers) ?? 0) > 0 && present(r.active_customers)).length,
    fulfillment_lags: rows('fulfillment_lags').filter((r) => present(r.orders) && present(r.share_pct)).length,
    restatements: Math.min(moved, 20),
    data_tests: rows('data_health').reduce((n, r) => n + ['tests_passed', 'tests_warned', 'tests_failed'].filter((f) => (num(r[f]) ?? 0) > 0).length, 0),
    quarantine: rows('quarantine').filter((r) => present(r.quarantine_pct)).length,
    freshness: rows('freshness').filter((r) => present(r.age_hours)).length,
  };
}

/** The marks Chromium shows per chart: Vega writes a mark named N as `<g class="... N_marks">`, with one path per bar, point or cell (one group per line). */
async function countMarks(page: Page): Promise<Record<string, number>> {
  const paths = (figure: string, mark: string) => page.locator(`figure#chart-${figure} svg g.${mark}_marks > path`).count();
  const groups = (figure: string, mark: string) => page.locator(`figure#chart-${figure} svg g.${mark}_marks`).count();
  return {
    revenue_trend_point: await paths('revenue_trend', 'revenue_trend_point'),
    revenue_trend_line: await groups('revenue_trend', 'revenue_trend_line'),
    payment_channels: await paths('payment_channels', 'payment_channels'),
    category_profitability: await paths('category_profitability', 'category_profitability'),
    cohort_retention: await paths('cohort_retention', 'cohort_retention'),
    fulfillment_lags: await paths('fulfillment_lags', 'fulfillment_lags'),
    restatements: await paths('restatements', 'restatements'),
    data_tests: await paths('data_tests', 'data_tests'),
    quarantine: await paths('quarantine', 'quarantine'),
    freshness: await paths('freshness', 'freshness'),
  };
}

describe('The HTML report in headless Chromium', () => {
  let browser: Browser;
  const temp = tempDir('ecomdw-html-');
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ReportDocument;
  const large = sampleReportDocument({
    months: 60,
    cohorts: 60,
    restatements: 300,
    loads: 14,
    categories: [HOSTILE, 'toys & games', ...Array.from({ length: 30 }, (_, i) => `category_${i}`)],
  });

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  async function open(document: ReportDocument, name: string): Promise<{ page: Page; log: PageLog; url: string }> {
    const file = path.join(temp.dir, `${name}.html`);
    writeFileSync(file, await renderReportHtml(document));
    const url = pathToFileURL(file).href;
    // JavaScript off: the page must read the same without it (Playwright's own evaluate still runs).
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const log: PageLog = { console: [], errors: [], requests: [] };
    page.on('console', (message) => log.console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => log.errors.push(error.message));
    page.on('request', (request) => log.requests.push(request.url()));
    await page.goto(url, { waitUntil: 'load' });
    return { page, log, url };
  }

  it.each([
    ['the report command output on a 90-day demo', 'demo-90-days', () => fixture],
    ['a scale-10-like report with hostile names', 'large', () => large],
  ])('loads %s with no console message, no request but the file, and the expected marks', async (_name, file, document) => {
    // Act
    const { page, log, url } = await open(document(), file);
    const marks = await countMarks(page);

    // Assess
    expect(log.console).toEqual([]);
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([url]);
    expect(marks).toEqual(expectedMarks(document()));
    expect(Object.values(marks).every((n) => n > 0)).toBe(true);
    await page.context().close();
  });

  it('draws the payment channel bars to scale, and the restated revenue line through every period in order', async () => {
    // Prepare
    const { page } = await open(fixture, 'scale');
    const amounts = sectionRows(fixture, 'payment_channels').map((r) => r.amount as number);
    const revenue = sectionRows(fixture, 'revenue_trend').map((r) => num(r.revenue)).filter((v): v is number => v !== null);

    // Act
    const widths = await page
      .locator('figure#chart-payment_channels g.payment_channels_marks > path')
      .evaluateAll((bars) => bars.map((bar) => (bar as unknown as { getBBox(): { width: number } }).getBBox().width));
    const lines = await page
      .locator('figure#chart-revenue_trend g.revenue_trend_line_marks > path')
      .evaluateAll((paths) => paths.map((p) => ({ stroke: p.getAttribute('stroke'), dash: p.getAttribute('stroke-dasharray'), d: p.getAttribute('d') ?? '' })));

    // Assess
    const largest = Math.max(...amounts);
    const widest = Math.max(...widths);
    expect(widths.map((w) => +(w / widest).toFixed(2)).sort()).toEqual(amounts.map((a) => +(a / largest).toFixed(2)).sort());
    // the solid revenue line (blue, undashed): one vertex per period, left to right, higher where revenue is higher
    const restated = lines.filter((l) => l.stroke === '#2563eb' && l.dash === '1,0');
    expect(restated).toHaveLength(1);
    const vertices = [...(restated[0]?.d ?? '').matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    expect(vertices).toHaveLength(revenue.length);
    vertices.slice(1).forEach((v, i) => expect(v.x).toBeGreaterThan((vertices[i] as { x: number }).x));
    for (let i = 0; i < revenue.length; i++) {
      for (let j = i + 1; j < revenue.length; j++) {
        const [a, b] = [revenue[i] as number, revenue[j] as number];
        if (Math.abs(a - b) > 1) expect(Math.sign((vertices[j] as { y: number }).y - (vertices[i] as { y: number }).y)).toBe(Math.sign(a - b));
      }
    }
    await page.context().close();
  });

  it('shows a category named <script> as text, runs nothing, and writes a screenshot', async () => {
    // Act
    const { page } = await open(large, 'hostile');
    const cells = await page.locator('[data-table="categories"] td').allTextContents();
    const elements = {
      scripts: await page.locator('script').count(),
      images: await page.locator('img').count(),
      title: await page.title(),
      svgs: await page.locator('figure svg').count(),
      tables: await page.locator('section table').count(),
    };
    mkdirSync(ARTIFACTS, { recursive: true });
    const fixturePage = await open(fixture, 'screenshot');
    const screenshot = path.join(ARTIFACTS, 'report.png');
    await fixturePage.page.screenshot({ path: screenshot, fullPage: true });

    // Assess
    expect(cells).toContain(HOSTILE);
    expect(cells).toContain('toys & games');
    expect(elements.scripts).toBe(0);
    expect(elements.images).toBe(0);
    expect(elements.title).toMatch(/^ecomdw report as of load 14/);
    expect(elements.svgs).toBe(9);
    expect(elements.tables).toBe(large.sections.length);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    await page.context().close();
    await fixturePage.page.context().close();
  });
});
