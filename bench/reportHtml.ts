/**
 * `npx tsx bench/reportHtml.ts [--repeat 5] [--json report.json ...]`
 *
 * What `--format html` adds to the report: the time to turn a report document
 * into the HTML page (Vega-Lite compile, Vega parse and SVG, page), cold (the
 * first render in a fresh process, module import included, as the CLI pays it)
 * and warm (median of the repeats), wall clock and CPU, and the page's size.
 * By default on a scale-10-like made-up document (60 months, a 60x60 cohort
 * triangle, 40 categories, 400 restatements, 14 loads) and the 90-day demo
 * report in tests/fixtures; `--json` adds real `ecomdw report --format json`
 * files. CPU time is the steadier figure on a shared machine.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sampleReportDocument } from '../tests/helpers/reportDocument.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    json: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('usage: npx tsx bench/reportHtml.ts [--repeat 5] [--json <report.json>]...\n');
  process.exit(0);
}
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  process.stderr.write('bench/reportHtml: --repeat must be an integer >= 1\n');
  process.exit(2);
}

interface Measure {
  wallMs: number;
  cpuMs: number;
}

async function measure<T>(work: () => Promise<T>): Promise<Measure & { result: T }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => `${Math.round(x)} ms`;

const documents: { name: string; document: unknown }[] = [
  {
    name: 'scale-10-like (made up)',
    document: sampleReportDocument({
      months: 60,
      cohorts: 60,
      restatements: 400,
      loads: 14,
      categories: Array.from({ length: 40 }, (_, i) => `category_${i}`),
    }),
  },
  { name: '90-day demo (tests/fixtures)', document: readFileSync(path.join(ROOT, 'tests', 'fixtures', 'report', 'demo-90-days.json'), 'utf8') },
  ...values.json.map((file) => ({ name: path.basename(file), document: readFileSync(file, 'utf8') })),
];

const load = await measure(() => import('../functions/report/html/index.js'));
const { renderReportHtmlWithStats } = load.result;
const lines = [
  `HTML report rendering, ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)}, Node ${process.version}`,
  `module import (vega, vega-lite): ${ms(load.wallMs)} wall, ${ms(load.cpuMs)} CPU`,
  '',
  '| document | charts | page size | first render (wall / CPU) | warm median (wall / CPU) |',
  '|---|---:|---:|---:|---:|',
];
for (const { name, document } of documents) {
  const runs: Measure[] = [];
  let charts = 0;
  let bytes = 0;
  for (let i = 0; i <= repeat; i++) {
    const run = await measure(() => renderReportHtmlWithStats(document, name));
    ({ charts, bytes } = run.result.stats);
    runs.push(run);
    process.stderr.write(`${name}: run ${i + 1} ${ms(run.wallMs)}\n`);
  }
  const [first, ...warm] = runs as [Measure, ...Measure[]];
  lines.push(
    `| ${name} | ${charts} | ${(bytes / 1024).toFixed(0)} KB | ${ms(first.wallMs)} / ${ms(first.cpuMs)} | ` +
      `${ms(median(warm.map((r) => r.wallMs)))} / ${ms(median(warm.map((r) => r.cpuMs)))} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
